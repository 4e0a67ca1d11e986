package trace

import (
	"net/netip"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"
)

// matchNAT matches an ICMP error whose quote shows a rewritten source
// address or source port: a router behind a NAT quoted the translated
// datagram and the NAT did not restore the quote (Linux's conntrack
// restores it; many NATs do not). The probe's identity survives the
// rewrite in the ICMP sequence number and the TCP sequence number; the
// Paris UDP checksum, which a NAT adjusts for the addresses and port it
// rewrites (RFC 3022 4.2), is recovered by undoing that adjustment.
func (m *Monitor) matchNAT(data []byte, src netip.Addr) (monitorAnswer, bool) {
	pr0 := &m.probers[0]
	e, err := icmp.ParseErrorFor(pr0.v6, data)
	if err != nil {
		return monitorAnswer{}, false
	}
	q := e.Quote
	if q.Dst != pr0.dst.WithZone("") || q.Protocol != pr0.method.protocol(pr0.v6) {
		return monitorAnswer{}, false
	}
	qsrc := q.Src
	for f := range m.probers {
		pr := &m.probers[f]
		idx, nat, ok := pr.quotedNAT(q, len(m.probers) == 1)
		if !ok || idx < 0 || idx >= m.ring {
			continue
		}
		nat = nat || qsrc != pr.src.WithZone("")
		return monitorAnswer{flow: f, a: pr.errorAnswer(e, src, idx), nat: nat}, true
	}
	return monitorAnswer{}, false
}

// quotedNAT returns the identity of a quoted probe of p's flow whose
// addresses or ports may have been rewritten, and whether its ports or
// echo identifier were. only says that p is the one flow: a rewritten
// port then still names it.
func (p *prober) quotedNAT(q icmp.Quote, only bool) (int, bool, bool) {
	switch p.method {
	case MethodICMP:
		id, seq, _, ok := q.Echo()
		if !ok || seq == 0 || (id != p.echoID && !only) {
			return 0, false, false
		}
		return int(seq) - 1, id != p.echoID, true
	case MethodTCP:
		sport, dport, ok := q.Ports()
		seq, ok2 := q.TCPSeq()
		if !ok || !ok2 || dport != p.dport {
			return 0, false, false
		}
		return int(seq - p.seqBase), sport != p.tcpSourceOr(int(seq-p.seqBase)), true
	}
	sport, dport, ok := q.Ports()
	if !ok || (sport != p.sport && !only) {
		return 0, false, false
	}
	if !p.paris {
		return int(dport - p.dport), sport != p.sport, true
	}
	c, ok := q.UDPChecksum()
	if !ok || dport != p.dport || c == 0 {
		return 0, false, false
	}
	return int(p.unNAT(c, q.Src, sport)) - 1, sport != p.sport, true
}

// tcpSourceOr is probe i's TCP source port, or 0.
func (p *prober) tcpSourceOr(i int) uint16 {
	s, _ := p.tcpSource(i)
	return s
}

// unNAT returns the UDP checksum a probe had before a NAT rewrote its
// source address to src and its source port to sport: the checksum is
// the complement of a ones' complement sum S, and a rewrite of words old
// to new made S' = S − old + new, so S = ~c' + old + ~new (RFC 1624).
func (p *prober) unNAT(c uint16, src netip.Addr, sport uint16) uint16 {
	if src.Is4In6() {
		src = src.Unmap()
	}
	old, nw := p.src.AsSlice(), src.AsSlice()
	if len(old) != len(nw) {
		return 0
	}
	sum := uint64(^c)
	for i := 0; i+1 < len(old); i += 2 {
		sum += uint64(old[i])<<8 | uint64(old[i+1])
		sum += uint64(^(uint16(nw[i])<<8 | uint16(nw[i+1])))
	}
	sum += uint64(p.sport) + uint64(^sport)
	return ^checksum.Fold(sum)
}

// errorAnswer is the answer an ICMP error from src gives probe idx, as
// icmpAnswer fills it.
func (p *prober) errorAnswer(e icmp.Error, src netip.Addr, idx int) answer {
	a := answer{idx: idx, from: src, res: ProbeResult{From: src, IPv6: p.v6, Type: e.Type, Code: e.Code,
		QuotedTTL: e.Quote.TTL, QuotedTOS: e.Quote.TOS, Extensions: e.Extensions}}
	unreach := icmp.TypeDestUnreach
	if p.v6 {
		unreach = icmp.TypeDestUnreachV6
	}
	if e.Type == unreach || (p.v6 && e.Type == icmp.TypePacketTooBigV6) {
		a.res.NextMTU, a.res.Final = e.MTU, true
		a.res.Reached = sameAddr(src, p.dst)
	}
	return a
}
