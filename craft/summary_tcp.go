package craft

import "encoding/binary"

// UDP and TCP wording, from tcpdump 4.99 print-udp.c and print-tcp.c.

// appendPorts prints "src.sport > dst.dport: ".
func appendPorts(dst, ip, p []byte) []byte {
	dst = appendIPv4(dst, ip[12:16])
	dst = append(dst, '.')
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[0:])))
	dst = append(dst, " > "...)
	dst = appendIPv4(dst, ip[16:20])
	dst = append(dst, '.')
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[2:])))
	return append(dst, ": "...)
}

// appendUDP prints a UDP datagram p (as captured) that the IP header says
// is length bytes long.
func appendUDP(dst, p []byte, length int, ip []byte, fragmented bool) []byte {
	if len(p) < 4 {
		dst = appendAddrs(dst, ip)
		dst = append(dst, ": "...)
		return trunc(dst, "udp")
	}
	dst = appendPorts(dst, ip, p)
	if length < 8 {
		dst = append(dst, "truncated-udp "...)
		return appendUint(dst, uint64(length))
	}
	if len(p) < 6 {
		return trunc(dst, "udp")
	}
	ulen := int(binary.BigEndian.Uint16(p[4:]))
	if ulen < 8 {
		dst = append(dst, "truncated-udplength "...)
		return appendUint(dst, uint64(ulen))
	}
	ulen -= 8
	length -= 8
	length = min(length, ulen)
	if len(p) < 8 {
		return trunc(dst, "udp")
	}
	if ulen > length && !fragmented {
		dst = append(dst, "UDP, bad length "...)
		dst = appendUint(dst, uint64(ulen))
		dst = append(dst, " > "...)
		return appendUint(dst, uint64(length))
	}
	dst = append(dst, "UDP, length "...)
	return appendUint(dst, uint64(ulen))
}

const tcpFlagChars = "FSRP.UEW"

// appendTCP prints a TCP segment p (as captured) that the IP header says is
// length bytes long.
func appendTCP(dst, p []byte, length int, ip []byte) []byte {
	if len(p) < 4 {
		dst = appendAddrs(dst, ip)
		dst = append(dst, ':')
		return trunc(dst, "tcp")
	}
	dst = appendPorts(dst, ip, p)
	if len(p) < 20 {
		return trunc(dst, "tcp")
	}
	hlen := int(p[12]>>4) * 4
	if hlen < 20 {
		dst = append(dst, " tcp "...)
		dst = appendUint(dst, uint64(length-hlen))
		dst = append(dst, " [bad hdr length "...)
		dst = appendUint(dst, uint64(hlen))
		return append(dst, " - too short, < 20]"...)
	}
	seq := binary.BigEndian.Uint32(p[4:])
	flags := p[13]
	dst = append(dst, "Flags ["...)
	if flags == 0 {
		dst = append(dst, "none"...)
	}
	for i := 0; i < 8; i++ {
		if flags&(1<<i) != 0 {
			dst = append(dst, tcpFlagChars[i])
		}
	}
	dst = append(dst, ']')
	if hlen > length {
		dst = append(dst, " [bad hdr length "...)
		dst = appendUint(dst, uint64(hlen))
		dst = append(dst, " - too long, > "...)
		dst = appendUint(dst, uint64(length))
		return append(dst, ']')
	}
	length -= hlen
	if length > 0 || flags&0x07 != 0 { // data, SYN, FIN or RST
		dst = append(dst, ", seq "...)
		dst = appendUint(dst, uint64(seq))
		if length > 0 {
			dst = append(dst, ':')
			dst = appendUint(dst, uint64(seq+uint32(length)))
		}
	}
	if flags&0x10 != 0 {
		dst = append(dst, ", ack "...)
		dst = appendUint(dst, uint64(binary.BigEndian.Uint32(p[8:])))
	}
	dst = append(dst, ", win "...)
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[14:])))
	if flags&0x20 != 0 {
		dst = append(dst, ", urg "...)
		dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[18:])))
	}
	if hlen > 20 {
		var ok bool
		if dst, ok = appendTCPOptions(dst, p, hlen, len(p) >= hlen+length); !ok {
			return dst
		}
	}
	dst = append(dst, ", length "...)
	return appendUint(dst, uint64(length))
}
