package inject

import (
	"encoding/binary"
	"net/netip"

	"github.com/rawkit/rawkit/icmp"
)

// IPv6 in the Matcher: the same keys as IPv4, found after the extension
// headers, an echo request (128) answered by a reply (129), and ICMPv6
// errors matched through the IPv6 datagram they quote. IPv6 has no
// identification in its header, so quotes match on destination, upper
// protocol, leading transport bytes and source.

// ipv6Upper walks b's extension headers (RFC 8200 4.1) to the upper
// layer: its protocol and bytes, and whether b is a fragment other than
// the first, which carries no transport header.
func ipv6Upper(b []byte) (proto uint8, t []byte, later, ok bool) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return 0, nil, false, false
	}
	proto, t = b[6], b[40:]
	if n := int(binary.BigEndian.Uint16(b[4:])); n < len(t) {
		t = t[:n]
	}
	for range 8 {
		switch proto {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(t) < 8 || len(t) < 8*(int(t[1])+1) {
				return 0, nil, false, false
			}
			proto, t = t[0], t[8*(int(t[1])+1):]
		case 44: // fragment
			if len(t) < 8 {
				return 0, nil, false, false
			}
			later = binary.BigEndian.Uint16(t[2:])&^7 != 0
			proto, t = t[0], t[8:]
		default:
			return proto, t, later, true
		}
	}
	return 0, nil, false, false
}

// add6 records sent packet i, an IPv6 packet b.
func (m *Matcher) add6(i int, b []byte) {
	proto, t, later, ok := ipv6Upper(b)
	if !ok {
		return
	}
	s := &m.pkts[i]
	s.src = netip.AddrFrom16([16]byte(b[8:24]))
	s.dst = netip.AddrFrom16([16]byte(b[24:40]))
	s.proto = proto
	qk := quoteKey{dst: s.dst, proto: proto, n: uint8(min(8, len(t)))}
	copy(qk.b[:], t)
	m.quotes[qk] = append(m.quotes[qk], i)
	if later {
		return // only errors answer a later fragment
	}
	switch proto {
	case 58:
		if len(t) >= 8 && t[0] == icmp.TypeEchoV6 {
			k := echoKey{peer: s.dst, local: s.src, typ: icmp.TypeEchoReplyV6, id: binary.BigEndian.Uint16(t[4:]), seq: binary.BigEndian.Uint16(t[6:])}
			if _, dup := m.echo[k]; !dup {
				m.echo[k] = i
			}
		}
	case 6, 17:
		m.addFlow(i, s, t)
	}
}

// match6 is Match for an IPv6 packet b.
func (m *Matcher) match6(b []byte) (int, bool) {
	proto, t, later, ok := ipv6Upper(b)
	if !ok || later {
		return 0, false
	}
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	switch proto {
	case 58:
		if len(t) < 8 {
			return 0, false
		}
		if icmp.IsErrorTypeV6(int(t[0])) {
			e, err := icmp.ParseError6(t)
			if err != nil {
				return 0, false
			}
			return m.matchQuote(e.Quote)
		}
		i, ok := m.echo[echoKey{peer: src, local: dst, typ: t[0], id: binary.BigEndian.Uint16(t[4:]), seq: binary.BigEndian.Uint16(t[6:])}]
		return i, ok
	case 6, 17:
		return m.matchFlow(proto, src, dst, t)
	}
	return 0, false
}
