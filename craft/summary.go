package craft

import (
	"encoding/binary"
	"strconv"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Summary returns a one-line description of the packet b in the style of
// tcpdump -n (version 4.99) without the timestamp, e.g.
//
//	IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64
//	IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 10
//	IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 1024, options [mss 1460,sackOK], length 0
//	IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 32
//	ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28
//
// first is where b starts: layers.LayerTypeIPv4 (raw IP of either version,
// as tcpdump reads LINKTYPE_RAW), layers.LayerTypeEthernet,
// layers.LayerTypeARP or layers.LayerTypeICMPv4 (a message alone, as a ping
// socket reads it, printed as the ICMP part of tcpdump's line). The wording follows tcpdump's for IPv4, IPv6 (with
// hop-by-hop, destination options and fragment headers), ICMP, ICMPv6
// (echo, errors, neighbour discovery, MLD), UDP, TCP (options included), IP
// in IP, fragments and ARP, truncated and malformed headers included. Where
// tcpdump would go on to decode an application protocol by port number (DNS
// on 53, HTTP on 80...) the summary stops at the transport layer, and
// protocols craft does not decode print as tcpdump prints unknown ones
// (" ip-proto-47 24"). Sequence numbers are absolute, as with tcpdump -S.
func Summary(b []byte, first gopacket.LayerType) string {
	var buf [160]byte
	return string(AppendSummary(buf[:0], b, first))
}

// AppendSummary appends the summary of b (see Summary) to dst and returns
// the extended slice. With room in dst it does not allocate.
func AppendSummary(dst, b []byte, first gopacket.LayerType) []byte {
	switch first {
	case layers.LayerTypeEthernet:
		return appendEthernet(dst, b)
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
		return appendRawIP(dst, b)
	case layers.LayerTypeARP:
		return appendARP(dst, b, len(b))
	case layers.LayerTypeICMPv4:
		return appendICMP(dst, b, len(b))
	}
	dst = append(dst, "unsupported first layer "...)
	return append(dst, first.String()...)
}

// maxDepth bounds IP-in-IP recursion.
const maxDepth = 8

func trunc(dst []byte, proto string) []byte {
	dst = append(dst, " [|"...)
	dst = append(dst, proto...)
	return append(dst, ']')
}

// appendRawIP dispatches on the IP version as tcpdump does for LINKTYPE_RAW.
func appendRawIP(dst, b []byte) []byte {
	if len(b) == 0 {
		return trunc(dst, "ip")
	}
	switch v := b[0] >> 4; v {
	case 4:
		return appendIP(dst, b, len(b), 0)
	case 6:
		return appendIP6(dst, b, len(b), 0)
	default:
		dst = append(dst, "unknown ip "...)
		return appendUint(dst, uint64(v))
	}
}

func appendEthernet(dst, b []byte) []byte {
	if len(b) < 14 {
		return trunc(dst, "ether")
	}
	typ := binary.BigEndian.Uint16(b[12:])
	p := b[14:]
	// 802.1Q and 802.1ad tags: tcpdump without -e prints only what they carry.
	for typ == 0x8100 || typ == 0x88a8 || typ == 0x9100 {
		if len(p) < 4 {
			return trunc(dst, "vlan")
		}
		typ = binary.BigEndian.Uint16(p[2:])
		p = p[4:]
	}
	switch typ {
	case 0x0800:
		if len(p) == 0 {
			return trunc(dst, "ip")
		}
		return appendIP(dst, p, len(p), 0)
	case 0x86dd:
		if len(p) == 0 {
			return trunc(dst, "ip6")
		}
		return appendIP6(dst, p, len(p), 0)
	case 0x0806, 0x8035:
		return appendARP(dst, p, len(p))
	}
	dst = appendMAC(dst, b[6:12])
	dst = append(dst, " > "...)
	dst = appendMAC(dst, b[0:6])
	if typ < 0x0600 {
		dst = append(dst, ", 802.3"...)
	} else {
		dst = append(dst, ", ethertype "...)
		dst = append(dst, etherTypeName(typ)...)
		dst = append(dst, " (0x"...)
		dst = appendHex(dst, uint64(typ), 4)
		dst = append(dst, ')')
	}
	dst = append(dst, ", length "...)
	return appendUint(dst, uint64(len(b)))
}

func etherTypeName(t uint16) string {
	switch t {
	case 0x86dd:
		return "IPv6"
	case 0x8847:
		return "MPLS unicast"
	case 0x8848:
		return "MPLS multicast"
	case 0x88cc:
		return "LLDP"
	case 0x888e:
		return "EAPOL"
	}
	return "Unknown"
}

// appendIP prints an IPv4 packet as tcpdump's ip_print: b is what was
// captured, length what the layer below says the packet is.
func appendIP(dst, b []byte, length, depth int) []byte {
	if v := b[0] >> 4; v != 4 {
		if v == 6 {
			return append(dst, "IP6, wrong link-layer encapsulation (invalid)"...)
		}
		dst = append(dst, "IP"...)
		dst = appendUint(dst, uint64(v))
		return append(dst, " (invalid)"...)
	}
	dst = append(dst, "IP "...)
	if len(b) < 20 {
		return trunc(dst, "ip")
	}
	hlen := int(b[0]&0xf) * 4
	if hlen < 20 {
		dst = append(dst, "bad-hlen "...)
		return appendUint(dst, uint64(hlen))
	}
	ipLen := int(binary.BigEndian.Uint16(b[2:]))
	if ipLen < hlen {
		dst = append(dst, "bad-len "...)
		return appendUint(dst, uint64(ipLen))
	}
	if length < ipLen {
		dst = append(dst, "truncated-ip - "...)
		dst = appendUint(dst, uint64(ipLen-length))
		dst = append(dst, " bytes missing! "...)
	} else if len(b) > ipLen {
		b = b[:ipLen] // link-layer padding
	}
	off := binary.BigEndian.Uint16(b[6:])
	proto := b[9]
	if off&0x1fff != 0 {
		// Not the first fragment: no transport header to show.
		dst = appendAddrs(dst, b)
		dst = append(dst, ": ip-proto-"...)
		return appendUint(dst, uint64(proto))
	}
	if proto != 6 && proto != 17 {
		dst = appendAddrs(dst, b)
		dst = append(dst, ": "...)
	}
	if len(b) < hlen {
		dst = append(dst, " [remaining caplen("...)
		dst = appendUint(dst, uint64(len(b)))
		dst = append(dst, ") < header length("...)
		dst = appendUint(dst, uint64(hlen))
		dst = append(dst, ")]"...)
		return trunc(dst, "ip")
	}
	p, plen, frag := b[hlen:], ipLen-hlen, off&0x2000 != 0
	switch proto {
	case 1:
		return appendICMP(dst, p, plen)
	case 6:
		return appendTCP(dst, p, plen, ipv4Hosts(b))
	case 17:
		return appendUDP(dst, p, plen, ipv4Hosts(b), frag)
	case 4:
		if len(p) > 0 && depth < maxDepth {
			return appendIP(dst, p, plen, depth+1)
		}
		if len(p) == 0 {
			return trunc(dst, "ip")
		}
	case 41:
		if depth < maxDepth {
			return appendIP6(dst, p, plen, depth+1)
		}
	}
	dst = append(dst, " ip-proto-"...)
	dst = appendUint(dst, uint64(proto))
	dst = append(dst, ' ')
	return appendUint(dst, uint64(plen))
}

// appendAddrs prints "src > dst" from an IPv4 header.
func appendAddrs(dst, ip []byte) []byte { return ipv4Hosts(ip).appendAddrs(dst) }

// appendAddr prints an IPv4 or IPv6 address as tcpdump -n does.
func appendAddr(dst, a []byte) []byte {
	if len(a) == 4 {
		return appendIPv4(dst, a)
	}
	return appendIPv6(dst, a)
}

func appendIPv4(dst, a []byte) []byte {
	dst = appendUint(dst, uint64(a[0]))
	dst = append(dst, '.')
	dst = appendUint(dst, uint64(a[1]))
	dst = append(dst, '.')
	dst = appendUint(dst, uint64(a[2]))
	dst = append(dst, '.')
	return appendUint(dst, uint64(a[3]))
}

func appendMAC(dst, a []byte) []byte {
	for i, c := range a {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = appendHex(dst, uint64(c), 2)
	}
	return dst
}

// appendUint appends v in decimal. Summaries are mostly small numbers, which
// are done here without strconv's general path.
func appendUint(dst []byte, v uint64) []byte {
	switch {
	case v < 10:
		return append(dst, byte('0'+v))
	case v < 100:
		return append(dst, byte('0'+v/10), byte('0'+v%10))
	case v < 1000:
		return append(dst, byte('0'+v/100), byte('0'+v/10%10), byte('0'+v%10))
	}
	return strconv.AppendUint(dst, v, 10)
}

// appendHex appends v in lower-case hex, zero-padded to width digits.
func appendHex(dst []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for v != 0 || i > len(b)-width {
		i--
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return append(dst, b[i:]...)
}
