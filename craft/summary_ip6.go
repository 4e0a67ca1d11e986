package craft

import "encoding/binary"

// IPv6 wording, from tcpdump 4.99 print-ip6.c, print-frag6.c and
// print-icmp6.c, for what a capture on a Linux host sees: neighbour
// discovery, MLD, echo, errors, UDP and TCP.

// appendIPv6 prints a 16-byte address as tcpdump's addrtostr6: the first
// longest run of two or more zero words as "::", and the last 32 bits in
// dotted form for IPv4-compatible and IPv4-mapped addresses.
func appendIPv6(dst, a []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(a[2*i:])
	}
	base, n := -1, 0
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > n {
			base, n = i, j-i
		}
		i = j
	}
	if n < 2 {
		base = -1
	}
	for i := 0; i < 8; i++ {
		if base >= 0 && i >= base && i < base+n {
			if i == base {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && base == 0 && (n == 6 || n == 5 && w[5] == 0xffff) {
			return appendIPv4(dst, a[12:16])
		}
		dst = appendHex(dst, uint64(w[i]), 1)
	}
	if base >= 0 && base+n == 8 {
		dst = append(dst, ':')
	}
	return dst
}

func ipv6Hosts(ip []byte, proto uint8) hosts { return hosts{ip[8:24], ip[24:40], ip[6] == proto} }

// appendIP6 prints an IPv6 packet as tcpdump's ip6_print: b is what was
// captured, length what the layer below says the packet is.
func appendIP6(dst, b []byte, length, depth int) []byte {
	if len(b) < 40 {
		return trunc(dst, "ip6")
	}
	dst = append(dst, "IP6 "...)
	if v := b[0] >> 4; v != 6 {
		dst = append(dst, "version error: "...)
		dst = appendUint(dst, uint64(v))
		return append(dst, " != 6"...)
	}
	total := length // a zero payload length means a jumbogram
	if plen := int(binary.BigEndian.Uint16(b[4:])); plen != 0 {
		total = plen + 40
		if length < total {
			dst = append(dst, "truncated-ip6 - "...)
			dst = appendUint(dst, uint64(total-length))
			dst = append(dst, " bytes missing!"...)
		} else if len(b) > total {
			b = b[:total]
		}
	}
	nh := b[6]
	if nh != 6 && nh != 17 {
		dst = ipv6Hosts(b, 0).appendAddrs(dst)
		dst = append(dst, ": "...)
	}
	p, rem, frag := b[40:], total-40, false
	for {
		switch nh {
		case 0, 60: // hop-by-hop and destination options
			if len(p) < 2 || len(p) < (int(p[1])+1)*8 {
				return trunc(dst, "hbhopt")
			}
			if nh == 0 {
				dst = append(dst, "HBH "...)
			} else {
				dst = append(dst, "DSTOPT "...)
			}
			hl := (int(p[1]) + 1) * 8
			nh, p, rem = p[0], p[hl:], rem-hl
			continue
		case 44: // fragment
			if len(p) < 8 {
				return trunc(dst, "frag6")
			}
			off := binary.BigEndian.Uint16(p[2:]) & 0xfff8
			dst = append(dst, "frag ("...)
			dst = appendUint(dst, uint64(off))
			dst = append(dst, '|')
			dst = appendUint(dst, uint64(max(rem-8, 0)))
			dst = append(dst, ')')
			if off != 0 {
				return dst
			}
			dst = append(dst, ' ')
			nh, p, rem, frag = p[0], p[8:], rem-8, true
			continue
		case 58:
			return appendICMP6(dst, p, max(rem, 0))
		case 17:
			return appendUDP(dst, p, max(rem, 0), ipv6Hosts(b, 17), frag)
		case 6:
			return appendTCP(dst, p, max(rem, 0), ipv6Hosts(b, 6))
		case 59:
			return append(dst, "no next header"...)
		case 4, 41:
			if len(p) > 0 && depth < maxDepth {
				if nh == 4 {
					return appendIP(dst, p, max(rem, 0), depth+1)
				}
				return appendIP6(dst, p, max(rem, 0), depth+1)
			}
		}
		dst = append(dst, " ip-proto-"...)
		dst = appendUint(dst, uint64(nh))
		dst = append(dst, ' ')
		return appendUint(dst, uint64(max(rem, 0)))
	}
}
