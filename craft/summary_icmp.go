package craft

import "encoding/binary"

// ICMP wording, from tcpdump 4.99 print-icmp.c.

var icmpTypeNames = [...]string{
	0: "echo reply", 4: "source quench", 8: "echo request", 10: "router solicitation",
	13: "time stamp request", 14: "time stamp reply", 15: "information request",
	16: "information reply", 17: "address mask request",
}

// unreachFormats are the Destination Unreachable codes other than protocol,
// port and need-to-frag; the address of the quoted destination goes between
// prefix and suffix.
var unreachFormats = [16]struct{ prefix, suffix string }{
	0:  {"net ", " unreachable"},
	1:  {"host ", " unreachable"},
	5:  {"", " unreachable - source route failed"},
	6:  {"net ", " unreachable - unknown"},
	7:  {"host ", " unreachable - unknown"},
	8:  {"", " unreachable - source host isolated"},
	9:  {"net ", " unreachable - admin prohibited"},
	10: {"host ", " unreachable - admin prohibited"},
	11: {"net ", " unreachable - tos prohibited"},
	12: {"host ", " unreachable - tos prohibited"},
	13: {"host ", " unreachable - admin prohibited filter"},
	14: {"host ", " unreachable - host precedence violation"},
	15: {"host ", " unreachable - precedence cutoff"},
}

var redirectFormats = [4]string{"redirect ", "redirect ", "redirect-tos ", "redirect-tos "}

// appendICMP prints an ICMP message p (as captured) whose IP header says it
// is plen bytes long. Like tcpdump, a field that was not captured ends the
// line with " [|icmp]" instead.
func appendICMP(dst, p []byte, plen int) []byte {
	if len(p) < 2 {
		return trunc(dst, "icmp")
	}
	start := len(dst)
	dst, ok := appendICMPText(append(dst, "ICMP "...), p)
	if !ok {
		return trunc(dst[:start], "icmp")
	}
	dst = append(dst, ", length "...)
	return appendUint(dst, uint64(plen))
}

// appendICMPText prints what tcpdump prints between "ICMP " and the length;
// it reports false when a field it needs was not captured.
func appendICMPText(dst, p []byte) ([]byte, bool) {
	typ, code := p[0], p[1]
	switch typ {
	case 0, 8:
		if len(p) < 8 {
			return dst, false
		}
		dst = append(dst, icmpTypeNames[typ]...)
		dst = append(dst, ", id "...)
		dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[4:])))
		dst = append(dst, ", seq "...)
		return appendUint(dst, uint64(binary.BigEndian.Uint16(p[6:]))), true
	case 3:
		return appendUnreach(dst, p, code)
	case 5:
		return appendRedirect(dst, p, code)
	case 9:
		return appendRouterAdvert(dst, p)
	case 11:
		if len(p) < 28 {
			return dst, false
		}
		switch code {
		case 0:
			return append(dst, "time exceeded in-transit"...), true
		case 1:
			return append(dst, "ip reassembly time exceeded"...), true
		}
		dst = append(dst, "time exceeded-#"...)
		return appendUint(dst, uint64(code)), true
	case 12:
		if code != 0 {
			dst = append(dst, "parameter problem - code "...)
			return appendUint(dst, uint64(code)), true
		}
		if len(p) < 5 {
			return dst, false
		}
		dst = append(dst, "parameter problem - octet "...)
		return appendUint(dst, uint64(p[4])), true
	case 13, 14:
		return appendTimestamp(dst, p, typ)
	case 18:
		if len(p) < 12 {
			return dst, false
		}
		dst = append(dst, "address mask is 0x"...)
		return appendHex(dst, uint64(binary.BigEndian.Uint32(p[8:])), 8), true
	}
	if int(typ) < len(icmpTypeNames) && icmpTypeNames[typ] != "" {
		return append(dst, icmpTypeNames[typ]...), true
	}
	dst = append(dst, "type-#"...)
	return appendUint(dst, uint64(typ)), true
}

func appendRedirect(dst, p []byte, code uint8) ([]byte, bool) {
	if len(p) < 28 {
		return dst, false
	}
	if code < 4 {
		dst = append(dst, redirectFormats[code]...)
	} else {
		dst = append(dst, "redirect-#"...)
		dst = appendUint(dst, uint64(code))
		dst = append(dst, ' ')
	}
	dst = appendIPv4(dst, p[24:28])
	switch code {
	case 0, 2:
		dst = append(dst, " to net "...)
	case 1, 3:
		dst = append(dst, " to host "...)
	default:
		dst = append(dst, " to "...)
	}
	return appendIPv4(dst, p[4:8]), true
}

// appendTimestamp prints an RFC 792 timestamp request or reply.
func appendTimestamp(dst, p []byte, typ uint8) ([]byte, bool) {
	if typ == 13 {
		if len(p) < 8 {
			return dst, false
		}
		return appendIDSeq(append(dst, "time stamp query"...), p), true
	}
	if len(p) < 20 {
		return dst, false
	}
	dst = appendIDSeq(append(dst, "time stamp reply"...), p)
	dst = append(dst, ": org "...)
	dst = appendMillis(dst, binary.BigEndian.Uint32(p[8:]))
	dst = append(dst, ", recv "...)
	dst = appendMillis(dst, binary.BigEndian.Uint32(p[12:]))
	dst = append(dst, ", xmit "...)
	return appendMillis(dst, binary.BigEndian.Uint32(p[16:])), true
}

func appendIDSeq(dst, p []byte) []byte {
	dst = append(dst, " id "...)
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[4:])))
	dst = append(dst, " seq "...)
	return appendUint(dst, uint64(binary.BigEndian.Uint16(p[6:])))
}

// appendUnreach prints a Destination Unreachable with the quoted datagram's
// destination (and port, for port unreachable) as tcpdump does.
func appendUnreach(dst, p []byte, code uint8) ([]byte, bool) {
	switch code {
	case 2: // protocol
		if len(p) < 28 {
			return dst, false
		}
		dst = appendIPv4(dst, p[24:28])
		dst = append(dst, " protocol "...)
		dst = appendUint(dst, uint64(p[17]))
		return append(dst, " unreachable"...), true
	case 3: // port
		if len(p) < 18 {
			return dst, false
		}
		hlen := int(p[8]&0xf) * 4
		if len(p) < 8+hlen+4 || len(p) < 28 {
			return dst, false
		}
		dport := uint64(binary.BigEndian.Uint16(p[8+hlen+2:]))
		dst = appendIPv4(dst, p[24:28])
		switch p[17] {
		case 6:
			dst = append(dst, " tcp port "...)
		case 17:
			dst = append(dst, " udp port "...)
		default:
			dst = append(dst, " protocol "...)
			dst = appendUint(dst, uint64(p[17]))
			dst = append(dst, " port "...)
		}
		dst = appendUint(dst, dport)
		return append(dst, " unreachable"...), true
	case 4: // fragmentation needed (RFC 1191 next-hop MTU)
		if len(p) < 28 {
			return dst, false
		}
		dst = appendIPv4(dst, p[24:28])
		dst = append(dst, " unreachable - need to frag"...)
		if mtu := binary.BigEndian.Uint16(p[6:]); mtu != 0 {
			dst = append(dst, " (mtu "...)
			dst = appendUint(dst, uint64(mtu))
			dst = append(dst, ')')
		}
		return dst, true
	}
	if len(p) < 28 {
		return dst, false
	}
	if int(code) < len(unreachFormats) {
		f := unreachFormats[code]
		dst = append(dst, f.prefix...)
		dst = appendIPv4(dst, p[24:28])
		return append(dst, f.suffix...), true
	}
	dst = appendIPv4(dst, p[24:28])
	dst = append(dst, " unreachable - #"...)
	return appendUint(dst, uint64(code)), true
}

// appendRouterAdvert prints an RFC 1256 router advertisement.
func appendRouterAdvert(dst, p []byte) ([]byte, bool) {
	if len(p) < 8 {
		return dst, false
	}
	dst = append(dst, "router advertisement lifetime "...)
	lt := uint64(binary.BigEndian.Uint16(p[6:]))
	switch {
	case lt < 60:
		dst = appendUint(dst, lt)
	case lt < 3600:
		dst = appendUint(dst, lt/60)
		dst = append(dst, ':')
		dst = appendPad2(dst, lt%60)
	default:
		dst = appendUint(dst, lt/3600)
		dst = append(dst, ':')
		dst = appendPad2(dst, lt%3600/60)
		dst = append(dst, ':')
		dst = appendPad2(dst, lt%60)
	}
	num := int(p[4])
	dst = append(dst, ' ')
	dst = appendUint(dst, uint64(num))
	dst = append(dst, ':')
	if size := p[5]; size != 2 {
		dst = append(dst, " [size "...)
		dst = appendUint(dst, uint64(size))
		return append(dst, ']'), true
	}
	for i := 0; i < num; i++ {
		if len(p) < 16+8*i {
			return dst, false
		}
		e := p[8+8*i:]
		dst = append(dst, " {"...)
		dst = appendIPv4(dst, e[:4])
		dst = append(dst, ' ')
		dst = appendUint(dst, uint64(binary.BigEndian.Uint32(e[4:])))
		dst = append(dst, '}')
	}
	return dst, true
}

// appendMillis prints milliseconds since midnight UTC as tcpdump's
// icmp_tstamp_print: hh:mm:ss.mmm, hours not wrapped.
func appendMillis(dst []byte, ms uint32) []byte {
	sec := uint64(ms / 1000)
	dst = appendPad2(dst, sec/3600)
	dst = append(dst, ':')
	dst = appendPad2(dst, sec/60%60)
	dst = append(dst, ':')
	dst = appendPad2(dst, sec%60)
	dst = append(dst, '.')
	m := uint64(ms % 1000)
	if m < 100 {
		dst = append(dst, '0')
	}
	return appendPad2(dst, m)
}

func appendPad2(dst []byte, v uint64) []byte {
	if v < 10 {
		dst = append(dst, '0')
	}
	return appendUint(dst, v)
}
