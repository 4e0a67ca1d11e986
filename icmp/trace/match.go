package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"encoding/binary"
	"net/netip"
	"time"
)

// answer is a received message matched to probe idx.
type answer struct {
	idx      int
	from     netip.Addr
	received time.Time
	res      ProbeResult // the answer's fields; TTL, Query, RTT, Size are the engine's
}

// quoted returns the index of the probe a quoted datagram is, if it is
// one of this trace's.
func (p *prober) quoted(q icmp.Quote) (int, bool) {
	// A quote carries no zone: compare addresses alone.
	if q.Dst != p.dst.WithZone("") || q.Protocol != p.method.protocol(p.v6) {
		return 0, false
	}
	switch p.method {
	case MethodUDP:
		sport, dport, ok := q.Ports()
		if !ok || sport != p.sport {
			return 0, false
		}
		if !p.paris {
			return int(dport - p.dport), true
		}
		c, ok := q.UDPChecksum()
		if !ok || dport != p.dport || c == 0 {
			return 0, false
		}
		return int(c) - 1, true
	case MethodICMP:
		id, seq, _, ok := q.Echo()
		if !ok || id != p.echoID || seq == 0 {
			return 0, false
		}
		return int(seq) - 1, true
	case MethodTCP:
		// The sequence number names the probe; its source port must
		// be that probe's (classic mode gives each its own).
		sport, dport, ok := q.Ports()
		if !ok || dport != p.dport {
			return 0, false
		}
		seq, ok := q.TCPSeq()
		if !ok {
			return 0, false
		}
		idx := int(seq - p.seqBase)
		if want, ok := p.tcpSource(idx); !ok || sport != want {
			return 0, false
		}
		return idx, true
	}
	return 0, false
}

// icmpAnswer matches an ICMP message from src: an echo reply to one of
// the trace's echo requests, or an error quoting one of its probes.
// Matching goes through icmp.ParseError and icmp.Quote, as ping's does.
func (p *prober) icmpAnswer(data []byte, src netip.Addr) (answer, bool) {
	a := answer{from: src, res: ProbeResult{From: src, QuotedTTL: -1, QuotedTOS: -1, IPv6: p.v6}}
	if len(data) < icmpHeaderLen {
		return a, false
	}
	replyType, unreach, exceeded := byte(icmp.TypeEchoReply), icmp.TypeDestUnreach, icmp.TypeTimeExceeded
	if p.v6 {
		replyType, unreach, exceeded = icmp.TypeEchoReplyV6, icmp.TypeDestUnreachV6, icmp.TypeTimeExceededV6
	}
	if data[0] == replyType {
		id, seq := binary.BigEndian.Uint16(data[4:]), binary.BigEndian.Uint16(data[6:])
		if p.method != MethodICMP || id != p.echoID || seq == 0 || !sameAddr(src, p.dst) {
			return a, false
		}
		a.idx = int(seq) - 1
		a.res.Type, a.res.Code = int(replyType), 0
		a.res.Reached, a.res.Final = true, true
		return a, true
	}
	e, err := icmp.ParseErrorFor(p.v6, data)
	tooBig := p.v6 && e.Type == icmp.TypePacketTooBigV6
	if err != nil || (e.Type != exceeded && e.Type != unreach && !tooBig) {
		return a, false
	}
	idx, ok := p.quoted(e.Quote)
	if !ok {
		return a, false
	}
	a.idx = idx
	r := &a.res
	r.Type, r.Code = e.Type, e.Code
	r.QuotedTTL, r.QuotedTOS = e.Quote.TTL, e.Quote.TOS
	r.Extensions = e.Extensions
	if e.Type == unreach || tooBig {
		// An ICMPv6 packet too big ends the trace as IPv4's
		// fragmentation needed (a destination unreachable) does.
		r.NextMTU = e.MTU
		r.Final = true
		// The destination's own refusal is the answer UDP probes wait
		// for (port unreachable); any unreachable from it ends the
		// trace at it.
		r.Reached = sameAddr(src, p.dst)
	}
	return a, true
}

// tcpAnswer matches a TCP segment from src: the destination's SYN-ACK or
// RST to one of the trace's SYNs (ack = seq+1, RFC 9293 3.5).
func (p *prober) tcpAnswer(seg []byte, src netip.Addr) (answer, bool) {
	a := answer{from: src, res: ProbeResult{From: src, Type: -1, Code: -1, QuotedTTL: -1, QuotedTOS: -1, IPv6: p.v6}}
	if p.method != MethodTCP || !sameAddr(src, p.dst) || len(seg) < 20 {
		return a, false
	}
	sport, dport := binary.BigEndian.Uint16(seg[0:]), binary.BigEndian.Uint16(seg[2:])
	flags := seg[13]
	const syn, rst, ack = 0x02, 0x04, 0x10
	if sport != p.dport || flags&ack == 0 || flags&(syn|rst) == 0 {
		return a, false
	}
	// A SYN-ACK acknowledges the SYN alone; a RST from a closed port
	// the SYN and its data too: try that first.
	ours := func(idx int) bool {
		want, ok := p.tcpSource(idx)
		return ok && dport == want && (p.probes == 0 || idx >= 0 && idx < p.probes)
	}
	acked := binary.BigEndian.Uint32(seg[8:])
	a.idx = int(acked - 1 - p.tcpData - p.seqBase)
	if flags&rst == 0 || !ours(a.idx) {
		a.idx = int(acked - 1 - p.seqBase)
		if !ours(a.idx) {
			return a, false
		}
	}
	a.res.Reached, a.res.Final = true, true
	return a, true
}

// sameAddr compares two addresses, ignoring an IPv6 zone that only one
// of them names.
func sameAddr(a, b netip.Addr) bool {
	if a.Zone() == "" || b.Zone() == "" {
		return a.WithZone("") == b.WithZone("")
	}
	return a == b
}
