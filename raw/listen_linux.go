package raw

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// ListenIPv4 opens an IPv4 raw socket (SOCK_RAW) for protocol, 1 to 255:
// 1 ICMP, 6 TCP, 17 UDP, and so on. It needs CAP_NET_RAW; without it the
// error satisfies errors.Is(err, os.ErrPermission) and says what to do.
// Bad input in protocol or cfg satisfies errors.Is(err, os.ErrInvalid).
func ListenIPv4(protocol int, cfg *Config) (*Conn, error) {
	if err := cfg.validate(protocol, false); err != nil {
		return nil, err
	}
	return listen(inet4, unix.SOCK_RAW, protocol, false, cfg)
}

// ListenPing opens an ICMP ping socket (SOCK_DGRAM, IPPROTO_ICMP): it
// sends echo requests and receives their replies and the ICMP errors they
// cause, without CAP_NET_RAW but only for groups in the sysctl
// net.ipv4.ping_group_range. The kernel sets the echo identifier to the
// socket's LocalPort and computes the ICMP checksum.
func ListenPing(cfg *Config) (*Conn, error) {
	if err := cfg.validate(protocolICMP, true); err != nil {
		return nil, err
	}
	return listen(inet4, unix.SOCK_DGRAM, protocolICMP, true, cfg)
}

// family is what differs between opening an IPv4 and an IPv6 socket.
type family struct {
	domain    int
	v6        bool
	describe  func(protocol int, ping bool) string
	configure func(s *sockopts, cfg *Config, protocol int, ping bool)
	bind      func(s *sockopts, cfg *Config, ping bool)
	source    func(cfg *Config) net.Addr
}

var (
	inet4 = family{
		domain: unix.AF_INET, describe: describe, source: sourceAddr,
		configure: (*sockopts).configure, bind: (*sockopts).bind,
	}
	inet6 = family{
		domain: unix.AF_INET6, v6: true, describe: describe6, source: sourceAddr6,
		configure: func(s *sockopts, cfg *Config, _ int, ping bool) { s.configure6(cfg, ping) },
		bind:      (*sockopts).bind6,
	}
)

// listen opens a socket of family f: socket(2) non-blocking and
// close-on-exec, options and filters set, bound, drained of what came in
// before the filters, and handed to the runtime poller. The fd is closed
// on every error path.
func listen(f family, typ, protocol int, ping bool, cfg *Config) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	network := f.describe(protocol, ping)
	hint := hintRaw
	if ping {
		hint = hintPing
	}
	if cfg.Interface != "" {
		if _, err := net.InterfaceByName(cfg.Interface); err != nil {
			return nil, inputErrorf("unknown interface %q", cfg.Interface)
		}
	}
	fd, err := unix.Socket(f.domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, protocol)
	if err != nil {
		err = withHint(os.NewSyscallError("socket", err), hint)
		return nil, &net.OpError{Op: opListen, Net: network, Err: err}
	}
	s := &sockopts{fd: fd}
	f.configure(s, cfg, protocol, ping)
	if s.err == nil {
		f.bind(s, cfg, ping)
	}
	filtered := len(cfg.Filter) > 0 || cfg.ICMPFilter != nil || cfg.ICMP6Filter != nil
	if s.err == nil && !ping && (filtered || cfg.Interface != "" || cfg.Source.IsValid()) {
		// A raw socket queues matching packets from socket(2) on, before
		// the filters above were in place: drop what came in meanwhile.
		s.drain()
	}
	if s.err != nil {
		unix.Close(fd)
		err := s.err
		if !isInputError(err) {
			err = &net.OpError{Op: opListen, Net: network, Addr: f.source(cfg), Err: err}
		}
		return nil, err
	}
	if cfg.Timestamps {
		awaitArrivalStamps()
	}
	c, err := newConn(fd, network, ping, cfg.HeaderIncluded || (!ping && protocol == protocolRaw))
	if err != nil {
		return nil, &net.OpError{Op: opListen, Net: network, Addr: f.source(cfg), Err: err}
	}
	// A socket with send stamps reads its error queue as a RecvErr one
	// does: that is where the stamps wait.
	c.recverr = cfg.RecvErr || cfg.SendStamps
	c.sendStamps = cfg.SendStamps
	c.v6 = f.v6
	return c, nil
}

// newConn makes a Conn of fd, which it owns from then on (and closes on
// error). fd stays outside the runtime poller until a call must wait
// (fdConn).
func newConn(fd int, network string, ping, hdrincl bool) (*Conn, error) {
	c := &Conn{
		rc:      &fdConn{fd: fd},
		network: network,
		ping:    ping,
		hdrincl: hdrincl,
	}
	c.dl.cond.L = &c.dl.mu
	c.laddr = c.rc.sockname(ping, c.zoneName)
	if c.laddr == nil {
		c.rc.close()
		return nil, os.NewSyscallError("getsockname", unix.EAFNOSUPPORT)
	}
	return c, nil
}

func sourceAddr(cfg *Config) net.Addr {
	if cfg == nil || !cfg.Source.IsValid() {
		return nil
	}
	return &net.IPAddr{IP: cfg.Source.Unmap().AsSlice()}
}

func isInputError(err error) bool {
	_, ok := err.(*inputError)
	return ok
}
