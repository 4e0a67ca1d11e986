package trace

import (
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
	if s.Method == MethodTCP {
		return nil, fmt.Errorf("%w: unprivileged probes are ICMP or UDP, not TCP", ErrBadConfig)
	}
	v6 := dst.Is6()
	ps, err := s.Config.settings(v6)
	if err != nil {
		return nil, err
	}
	if !dst.IsValid() {
		return nil, fmt.Errorf("%w: no destination", ErrBadConfig)
	}
	p := &Path{s: ps, pr: prober{v6: v6}}
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
	if s.Method == MethodUDP {
		if err := p.openUDPFlows(s); err != nil {
			return nil, err
		}
	} else if err := p.openPingFlows(s); err != nil {
		return nil, err
	}
	p.pr = prober{method: s.Method, paris: !ps.Classic, v6: v6, src: src, dst: dst, tos: ps.TOS,
		dport: uint16(ps.Port)}
	m, err := newMonitor(p, s, nil)
	if err != nil {
		return nil, err
	}
	for f := range m.probers {
		m.probers[f] = p.pr
		if s.Method == MethodUDP {
			m.udps = append(m.udps, p.closers[f].(*udpSock))
			m.probers[f].sport = m.udps[f].port
		} else {
			m.pings = append(m.pings, p.closers[f].(*raw.Conn))
			m.probers[f].echoID = uint16(m.pings[f].LocalPort())
		}
	}
	ok = true
	return m, nil
}

// openPingFlows opens one ping socket per flow, in p.closers.
func (p *Path) openPingFlows(s monitorSettings) error {
	listen := raw.ListenPing
	if p.pr.v6 || s.Source.Is6() {
		listen = raw.ListenPing6
	}
	for range s.Flows {
		c, err := listen(&raw.Config{RecvErr: true, Timestamps: true, Interface: p.s.Interface, Source: p.s.Source})
		if err != nil {
			return err
		}
		p.closers = append(p.closers, c)
		if p.s.TOS != 0 {
			if err := c.SetTOS(p.s.TOS); err != nil {
				return err
			}
		}
	}
	return nil
}

// openUDPFlows opens one UDP socket per flow, in p.closers.
func (p *Path) openUDPFlows(s monitorSettings) error {
	for range s.Flows {
		u, err := openUDP(p.s.Source, p.pr.v6, p.s.Interface, p.s.TOS)
		if err != nil {
			return err
		}
		p.closers = append(p.closers, u)
	}
	return nil
}
