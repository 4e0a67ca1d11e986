package raw

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// sockopts sets options on a fresh socket, keeping the first error so
// the sequence reads straight; later calls do nothing after one failed.
type sockopts struct {
	fd  int
	err error
}

func (s *sockopts) setInt(level, opt int, name string, v int, hint string) {
	if s.err != nil {
		return
	}
	if err := unix.SetsockoptInt(s.fd, level, opt, v); err != nil {
		s.err = withHint(os.NewSyscallError("setsockopt "+name, err), hint)
	}
}

// configure sets every option of cfg. Receive filters come first so that
// as few unfiltered packets as possible are queued (see drain).
func (s *sockopts) configure(cfg *Config, protocol int, ping bool) {
	if len(cfg.Filter) > 0 {
		s.attachBPF(cfg.Filter)
	}
	if cfg.ICMPFilter != nil && s.err == nil {
		// struct icmp_filter is one 32-bit mask, bit set = type blocked
		// (raw(7)); ipv4.ICMPFilter has that layout on Linux.
		err := unix.SetsockoptString(s.fd, unix.SOL_RAW, unix.ICMP_FILTER,
			unsafe.String((*byte)(unsafe.Pointer(cfg.ICMPFilter)), unsafe.Sizeof(*cfg.ICMPFilter)))
		if err != nil {
			s.err = os.NewSyscallError("setsockopt ICMP_FILTER", err)
		}
	}
	if cfg.Interface != "" && s.err == nil {
		if err := unix.BindToDevice(s.fd, cfg.Interface); err != nil {
			if errors.Is(err, unix.ENODEV) {
				s.err = inputErrorf("unknown interface %q", cfg.Interface)
			} else {
				s.err = withHint(os.NewSyscallError("setsockopt SO_BINDTODEVICE", err), hintRaw)
			}
		}
	}
	if cfg.HeaderIncluded && !ping {
		s.setInt(unix.IPPROTO_IP, unix.IP_HDRINCL, "IP_HDRINCL", 1, hintRaw)
	}
	if cfg.TTL != 0 {
		s.setInt(unix.IPPROTO_IP, unix.IP_TTL, "IP_TTL", cfg.TTL, "")
	}
	if cfg.TOS != 0 {
		s.setInt(unix.IPPROTO_IP, unix.IP_TOS, "IP_TOS", cfg.TOS, "")
	}
	if cfg.DontFragment != DFDefault {
		s.setInt(unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, "IP_MTU_DISCOVER", pmtudisc(cfg.DontFragment), "")
	}
	if cfg.ReceiveBuffer > 0 {
		s.setReceiveBuffer(cfg.ReceiveBuffer)
	}
	if cfg.Timestamps {
		s.setInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, "SO_TIMESTAMPNS", 1, "")
	}
	if cfg.DropCount {
		s.setInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, "SO_RXQ_OVFL", 1, "")
	}
	if cfg.RecvErr {
		s.setInt(unix.IPPROTO_IP, unix.IP_RECVERR, "IP_RECVERR", 1, "")
	}
	if cfg.SendStamps {
		s.setSendStamps()
	}
	if cfg.Mark != 0 {
		s.setInt(unix.SOL_SOCKET, unix.SO_MARK, "SO_MARK", int(cfg.Mark), hintAdmin)
	}
	// Metadata for reads: the interface and destination of every packet;
	// ping sockets have no header to read TTL and TOS from (ip(7)).
	if !cfg.NoPacketInfo {
		s.setInt(unix.IPPROTO_IP, unix.IP_PKTINFO, "IP_PKTINFO", 1, "")
	}
	if ping {
		s.setInt(unix.IPPROTO_IP, unix.IP_RECVTTL, "IP_RECVTTL", 1, "")
		s.setInt(unix.IPPROTO_IP, unix.IP_RECVTOS, "IP_RECVTOS", 1, "")
	}
}

// pmtudisc maps a DFMode to its IP_MTU_DISCOVER value (ip(7)).
func pmtudisc(m DFMode) int {
	switch m {
	case DFDo:
		return unix.IP_PMTUDISC_DO
	case DFDont:
		return unix.IP_PMTUDISC_DONT
	}
	return unix.IP_PMTUDISC_WANT
}

func (s *sockopts) attachBPF(prog []bpf.RawInstruction) {
	if s.err != nil {
		return
	}
	fprog := unix.SockFprog{
		Len:    uint16(len(prog)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&prog[0])),
	}
	if err := unix.SetsockoptSockFprog(s.fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
		s.err = os.NewSyscallError("setsockopt SO_ATTACH_FILTER", err)
	}
}

// setReceiveBuffer tries SO_RCVBUFFORCE, which may exceed
// net.core.rmem_max but needs CAP_NET_ADMIN, then SO_RCVBUF (socket(7)).
func (s *sockopts) setReceiveBuffer(n int) {
	if s.err != nil {
		return
	}
	if err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n); err == nil {
		return
	}
	s.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, "SO_RCVBUF", n, "")
}

// bind binds to cfg.Source. A ping socket is always bound, so that the
// kernel picks its echo identifier (the port) now rather than at the
// first send and LocalPort is known from the start.
func (s *sockopts) bind(cfg *Config, ping bool) {
	if s.err != nil || (!ping && !cfg.Source.IsValid()) {
		return
	}
	sa := &unix.SockaddrInet4{}
	if cfg.Source.IsValid() {
		sa.Addr = cfg.Source.Unmap().As4()
	}
	if err := unix.Bind(s.fd, sa); err != nil {
		if errors.Is(err, unix.EADDRNOTAVAIL) {
			s.err = inputErrorf("source address %s is not an address of this host", cfg.Source)
			return
		}
		s.err = os.NewSyscallError("bind", err)
	}
}

// drain discards the packets queued so far without blocking. What can
// be queued is bounded by the receive buffer, so is the loop: a packet
// arriving meanwhile has passed the filters and may stay.
func (s *sockopts) drain() {
	rcvbuf, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	if err != nil {
		rcvbuf = 1 << 20
	}
	// Every queued packet is charged at least its sk_buff overhead,
	// which exceeds 256 bytes.
	var buf [1]byte
	for range rcvbuf/256 + 64 {
		_, _, err := unix.Recvfrom(s.fd, buf[:], unix.MSG_DONTWAIT|unix.MSG_TRUNC)
		if err != nil && err != unix.EINTR {
			return // EAGAIN: empty
		}
	}
}
