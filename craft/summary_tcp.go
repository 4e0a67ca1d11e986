package craft

import "encoding/binary"

// UDP and TCP wording, from tcpdump 4.99 print-udp.c and print-tcp.c.

// hosts are the network-layer addresses a transport header is printed
// with, 4 or 16 bytes each.
type hosts struct {
	src, dst []byte
	// direct is set when the network header names the transport protocol
	// itself; after IPv6 extension headers tcpdump prints ports alone.
	direct bool
}

func ipv4Hosts(ip []byte) hosts { return hosts{ip[12:16], ip[16:20], true} }

// appendAddrs prints "src > dst".
func (h hosts) appendAddrs(dst []byte) []byte {
	dst = appendAddr(dst, h.src)
	dst = append(dst, " > "...)
	return appendAddr(dst, h.dst)
}

// appendPorts prints "src.sport > dst.dport: ".
func (h hosts) appendPorts(dst, p []byte) []byte {
	if h.direct {
		dst = appendAddr(dst, h.src)
		dst = append(dst, '.')
	}
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[0:])))
	dst = append(dst, " > "...)
	if h.direct {
		dst = appendAddr(dst, h.dst)
		dst = append(dst, '.')
	}
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[2:])))
	return append(dst, ": "...)
}

// appendUDP prints a UDP datagram p (as captured) that the IP header says
// is length bytes long.
func appendUDP(dst, p []byte, length int, h hosts, fragmented bool) []byte {
	if len(p) < 4 {
		dst = h.appendAddrs(dst)
		dst = append(dst, ": "...)
		return trunc(dst, "udp")
	}
	dst = h.appendPorts(dst, p)
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
func appendTCP(dst, p []byte, length int, h hosts) []byte {
	if len(p) < 4 {
		dst = h.appendAddrs(dst)
		dst = append(dst, ':')
		return trunc(dst, "tcp")
	}
	dst = h.appendPorts(dst, p)
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
