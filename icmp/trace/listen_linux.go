package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/raw"
)

// New opens the sockets of a trace to dst: a header-included raw
// socket for the probes (IPPROTO_RAW, raw(7)), a raw ICMP socket for the
// answers, with kernel receive timestamps, and for TCP a raw TCP socket
// for the destination's SYN-ACK or RST. UDP and TCP probes come from a
// port held by a bound socket for the trace's life, so that concurrent
// traces never share a flow. It needs CAP_NET_RAW; the error then matches
// os.ErrPermission.
func New(dst netip.Addr, cfg *Config) (*Path, error) {
	dst = dst.Unmap()
	v6 := dst.Is6()
	s, err := cfg.settings(v6)
	if err != nil {
		return nil, err
	}
	if !dst.IsValid() {
		return nil, fmt.Errorf("%w: no destination", ErrBadConfig)
	}
	t := &Path{s: s}
	ok := false
	defer func() {
		if !ok {
			t.Close()
		}
	}()
	// The MTU decides which probes are fragmented (or, with DF,
	// refused: !F-MTU); probes no link can refuse need no look-up.
	minMTU := minMTU4
	if v6 {
		minMTU = minMTU6
	}
	src, mtu, err := routeTo(dst, s.Source, s.Interface, s.MTU || s.Length > minMTU)
	if err != nil {
		return nil, err
	}
	t.localMTU, t.pathMTU = mtu.dev, mtu.path
	var rnd [17]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("icmp: random identifiers: %w", err)
	}
	t.pr = prober{
		method: s.Method, paris: !s.Classic, src: src, dst: dst, v6: v6,
		dport:   uint16(s.Port),
		echoID:  binary.BigEndian.Uint16(rnd[0:]),
		seqBase: binary.BigEndian.Uint32(rnd[2:]),
		ipID:    binary.BigEndian.Uint16(rnd[6:]),
		flow:    binary.BigEndian.Uint32(rnd[9:]) & 0xfffff,
		fragID:  binary.BigEndian.Uint32(rnd[13:]),
		tos:     s.TOS, df: s.DontFragment,
	}
	t.pr.probes = (s.MaxTTL - s.FirstTTL + 1) * s.Queries
	if s.Method == MethodTCP && !s.MTU {
		t.pr.tcpData = uint32(s.Length - s.headerLen)
	}
	if s.Method != MethodICMP {
		port, c, err := reservePort(s.Method, src)
		if err != nil {
			return nil, err
		}
		t.closers = append(t.closers, c)
		t.pr.sport = port
	}
	if err := t.reserveClassicPorts(); err != nil {
		return nil, err
	}
	if v6 {
		err = t.listen6()
	} else {
		err = t.listen4()
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return t, nil
}

func (t *Path) listen4() error {
	s := &t.s
	send, err := raw.ListenIPv4(255, &raw.Config{HeaderIncluded: true, Interface: s.Interface})
	if err != nil {
		return err
	}
	t.send = newProbeConn(send, &t.stamps)
	if err := probeMTUMode(send, false); err != nil {
		return err
	}
	var f ipv4.ICMPFilter
	f.SetAll(true)
	for _, typ := range []ipv4.ICMPType{ipv4.ICMPTypeEchoReply, ipv4.ICMPTypeDestinationUnreachable, ipv4.ICMPTypeTimeExceeded} {
		f.Accept(typ)
	}
	rc, err := raw.ListenIPv4(icmp.ProtocolICMP, &raw.Config{Interface: s.Interface, Timestamps: true, ICMPFilter: &f})
	if err != nil {
		return err
	}
	t.icmpConn = &pathRaw{c: rc}
	if s.Method == MethodTCP {
		tc, err := raw.ListenIPv4(6, &raw.Config{Interface: s.Interface, Timestamps: true})
		if err != nil {
			return err
		}
		t.tcpConn = &pathRaw{c: tc}
	}
	return nil
}

// listen6 opens the IPv6 sockets: probes go out whole through
// IPPROTO_RAW, which on IPv6 means IPV6_HDRINCL (raw(7), Linux 4.5 and
// later), so each carries its own hop limit and the trace's flow label.
func (t *Path) listen6() error {
	s := &t.s
	send, err := raw.ListenIPv6(255, &raw.Config{HeaderIncluded: true, Interface: s.Interface})
	if err != nil {
		return err
	}
	t.send = newProbeConn(send, &t.stamps)
	if err := probeMTUMode(send, true); err != nil {
		return err
	}
	var f ipv6.ICMPFilter
	f.SetAll(true)
	for _, typ := range []ipv6.ICMPType{ipv6.ICMPTypeEchoReply, ipv6.ICMPTypeDestinationUnreachable,
		ipv6.ICMPTypePacketTooBig, ipv6.ICMPTypeTimeExceeded} {
		f.Accept(typ)
	}
	rc, err := raw.ListenIPv6(icmp.ProtocolICMPv6, &raw.Config{Interface: s.Interface, Timestamps: true, ICMP6Filter: &f})
	if err != nil {
		return err
	}
	t.icmpConn = &pathRaw{c: rc}
	if s.Method == MethodTCP {
		tc, err := raw.ListenIPv6(6, &raw.Config{Interface: s.Interface, Timestamps: true})
		if err != nil {
			return err
		}
		t.tcpConn = &pathRaw{c: tc}
	}
	return nil
}

// probeMTUMode sets IP_PMTUDISC_PROBE (IPV6_PMTUDISC_PROBE) on the probe
// socket (ip(7), ipv6(7)): the kernel then checks a probe against the
// interface's MTU only, not the path MTU it learnt from earlier
// fragmentation-needed or packet-too-big answers — even from this
// trace's own first probes — so a probe with DF (any IPv6 probe) still
// leaves and the router on the narrow link answers.
func probeMTUMode(c *raw.Conn, v6 bool) error {
	level, opt, val := unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE
	if v6 {
		level, opt, val = unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), level, opt, val)
	})
	if err == nil && serr != nil {
		err = opErr("setsockopt", serr)
	}
	return err
}

func opErr(call string, err error) error {
	return &net.OpError{Op: call, Net: "ip4", Err: os.NewSyscallError(call, err)}
}

// pathRaw adapts a raw.Conn to pathConn.
type pathRaw struct {
	c *raw.Conn
}

// WaitRead waits for a message without reading it.
func (p *pathRaw) WaitRead(ctx context.Context) error { return p.c.WaitRead(ctx) }

// Readable reports whether a message is queued.
func (p *pathRaw) Readable() (bool, error) { return p.c.Readable() }

// TryReadBatch reads what is queued without waiting.
func (p *pathRaw) TryReadBatch(ms []icmp.Message) (int, error) {
	for i := range ms {
		m, err := p.c.TryReadMsg(ms[i].Buf)
		if errors.Is(err, raw.ErrWouldBlock) {
			return i, nil
		}
		if err != nil {
			return i, err
		}
		ms[i].Data, ms[i].Src, ms[i].TTL, ms[i].Received = m.Data, m.Src, m.TTL, m.Received
	}
	return len(ms), nil
}

func (p *pathRaw) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	return p.c.WriteBatch(ctx, pkts, dst)
}

func (p *pathRaw) Close() error { return p.c.Close() }
