package corpus

import "encoding/binary"

// ext6Hdr is one IPv6 extension header of a hand-built packet: typ is
// hop-by-hop (0), routing (43), destination options (60) or fragment
// (44); units is the header's length field (8-octet units after the
// first 8), frag the fragment offset in 8-octet units.
type ext6Hdr struct {
	typ   byte
	units int
	frag  uint16
}

// ext6Frame builds an Ethernet frame: an IPv6 header from 2001:db8::1 to
// 2001:db8::2, the extension headers hdrs and then proto's header and
// payload in rest. Checksums are left zero: filters do not read them.
func ext6Frame(proto byte, rest []byte, hdrs ...ext6Hdr) []byte {
	var chain []byte
	for i, h := range hdrs {
		next := proto
		if i < len(hdrs)-1 {
			next = hdrs[i+1].typ
		}
		if h.typ == 44 { // fragment
			b := []byte{next, 0, 0, 0, 0, 0, 0, 0x63}
			binary.BigEndian.PutUint16(b[2:], h.frag<<3|1) // M flag set
			chain = append(chain, b...)
			continue
		}
		b := make([]byte, 8*(h.units+1))
		b[0], b[1] = next, byte(h.units)
		b[2], b[3] = 1, byte(len(b)-4) // a PadN option filling the header
		chain = append(chain, b...)
	}
	first := proto
	if len(hdrs) > 0 {
		first = hdrs[0].typ
	}
	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(chain)+len(rest)))
	ip[6], ip[7] = first, 64
	ip[8], ip[9], ip[23] = 0x20, 0x01, 1
	ip[10], ip[11] = 0x0d, 0xb8
	copy(ip[24:], ip[8:24])
	ip[39] = 2
	frame := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}
	frame = append(frame, ip...)
	frame = append(frame, chain...)
	return append(frame, rest...)
}

func udpHdr(sport, dport uint16) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], 16)
	return b
}

func tcpSyn(sport, dport uint16) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	b[12], b[13] = 0x50, 0x02
	return b
}

// Ext6 returns Ethernet frames of IPv6 packets with extension headers,
// each named by what it carries.
func Ext6() []Packet {
	hbh, rt, dst := ext6Hdr{typ: 0}, ext6Hdr{typ: 43, units: 2}, ext6Hdr{typ: 60, units: 1}
	first, later := ext6Hdr{typ: 44}, ext6Hdr{typ: 44, frag: 185}
	echo := []byte{128, 0, 0, 0, 0, 3, 0, 1}
	return []Packet{
		{"hbh udp 53", ext6Frame(17, udpHdr(40010, 53), hbh)},
		{"dst rt tcp 80", ext6Frame(6, tcpSyn(40011, 80), dst, rt)},
		{"first frag udp 53", ext6Frame(17, udpHdr(40012, 53), first)},
		// A later fragment whose data looks like ports 53 -> 53.
		{"later frag udp", ext6Frame(17, udpHdr(53, 53), later)},
		{"hbh icmp6 echo", ext6Frame(58, echo, hbh)},
		{"6 headers tcp 80", ext6Frame(6, tcpSyn(40013, 80), hbh, dst, rt, first, dst, dst)},
		{"7 headers tcp 80", ext6Frame(6, tcpSyn(40014, 80), hbh, dst, rt, first, dst, dst, dst)},
	}
}
