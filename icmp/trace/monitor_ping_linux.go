package trace

import (
	"crypto/rand"
	"fmt"
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// NewPingMonitor opens an unprivileged monitor of dst: ICMP echo
// probes on ping sockets (icmp(7); no CAP_NET_RAW, only a group in
// net.ipv4.ping_group_range), one per flow, with IP_RECVERR
// (IPV6_RECVERR) on, so that the time exceeded and unreachable errors
// the probes cause come from the socket's error queue (ip(7), ipv6(7)),
// as tracepath reads them. Each probe's TTL is set on its socket before
// it is sent. The kernel sets the echo identifier (the socket's port)
// and the checksum; in Paris mode the payload keeps the checksum fixed
// per flow as with raw probes. The errors carry no quoted IP header, so
// TOS and NAT rewrites are not seen in this mode.
func NewPingMonitor(dst netip.Addr, cfg *MonitorConfig) (*Monitor, error) {
	dst = dst.Unmap()
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	if s.Method != MethodICMP {
		return nil, fmt.Errorf("%w: unprivileged probes are ICMP echo requests, not %v", ErrBadConfig, s.Method)
	}
	v6 := dst.Is6()
	ps, err := s.Config.settings(v6)
	if err != nil {
		return nil, err
	}
	if !dst.IsValid() {
		return nil, fmt.Errorf("%w: no destination", ErrBadConfig)
	}
	p := &Path{s: ps}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()
	src, _, err := routeTo(dst, ps.Source, ps.Interface, false)
	if err != nil {
		return nil, err
	}
	var pings []*raw.Conn
	for range max(s.Flows, 1) {
		listen := raw.ListenPing
		if v6 {
			listen = raw.ListenPing6
		}
		c, err := listen(&raw.Config{RecvErr: true, Timestamps: true, Interface: ps.Interface, Source: ps.Source})
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, c)
		if ps.TOS != 0 {
			if err := c.SetTOS(ps.TOS); err != nil {
				return nil, err
			}
		}
		pings = append(pings, c)
	}
	var rnd [2]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("icmp: random identifiers: %w", err)
	}
	p.pr = prober{method: MethodICMP, paris: !ps.Classic, v6: v6, src: src, dst: dst, tos: ps.TOS,
		echoID: uint16(pings[0].LocalPort())}
	m, err := newMonitor(p, s, nil)
	if err != nil {
		return nil, err
	}
	m.pings = pings
	for f := range m.probers {
		m.probers[f] = p.pr
		m.probers[f].echoID = uint16(pings[f].LocalPort())
	}
	ok = true
	return m, nil
}
