package craft

import "encoding/binary"

var icmp6TypeNames = map[uint8]string{
	1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit",
	4: "parameter problem", 128: "echo request", 129: "echo reply",
	130: "multicast listener query", 131: "multicast listener report",
	132: "multicast listener done", 133: "router solicitation", 134: "router advertisement",
	135: "neighbor solicitation", 136: "neighbor advertisement", 137: "redirect",
	138: "router renumbering", 139: "who-are-you request", 140: "who-are-you reply",
	141: "inverse neighbor solicitation", 142: "inverse neighbor advertisement",
	143: "multicast listener report v2", 144: "ha discovery request", 145: "ha discovery reply",
	146: "mobile router solicitation", 147: "mobile router advertisement", 155: "RPL",
	200: "mtrace response", 201: "mtrace message",
}

// The code names tcpdump 4.99 prints, leading space of code 1 included.
var icmp6UnreachNames = [...]string{
	"unreachable route", " unreachable prohibited", "beyond scope", "unreachable address", "unreachable port",
}

var icmp6ParamNames = [...]string{"erroneous", "next header", "option", "incomplete header chain"}

// appendICMP6 prints an ICMPv6 message p (as captured) that the IPv6 header
// says is length bytes long.
func appendICMP6(dst, p []byte, length int) []byte {
	if len(p) < 4 {
		return trunc(dst, "icmp6")
	}
	typ, code := p[0], p[1]
	dst = append(dst, "ICMP6, "...)
	if name, ok := icmp6TypeNames[typ]; ok {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "unknown icmp6 type ("...)
		dst = appendUint(dst, uint64(typ))
		dst = append(dst, ')')
	}
	var ok, end bool
	dst, ok, end = appendICMP6Text(dst, p, typ, code, length)
	if !ok {
		return trunc(dst, "icmp6")
	}
	if end {
		return dst
	}
	dst = append(dst, ", length "...)
	return appendUint(dst, uint64(length))
}

// appendICMP6Text prints the type-specific part. ok is false when a field
// was not captured; end is set when tcpdump ends the line there (it goes on
// with a hex dump).
func appendICMP6Text(dst, p []byte, typ, code uint8, length int) (_ []byte, ok, end bool) {
	need := func(n int) bool { return len(p) >= n }
	switch typ {
	case 1:
		if !need(48) {
			return dst, false, false
		}
		return appendICMP6Unreach(dst, p, code)
	case 2:
		if !need(8) {
			return dst, false, false
		}
		dst = append(dst, ", mtu "...)
		return appendUint(dst, uint64(binary.BigEndian.Uint32(p[4:]))), true, false
	case 3:
		if !need(48) {
			return dst, false, false
		}
		switch code {
		case 0:
			dst = append(dst, " for "...)
			return appendIPv6(dst, p[32:48]), true, false
		case 1:
			return append(dst, " (reassembly)"...), true, false
		}
		dst = append(dst, ", unknown code ("...)
		return append(appendUint(dst, uint64(code)), ')'), true, false
	case 4:
		if !need(48) {
			return dst, false, false
		}
		if int(code) < len(icmp6ParamNames) {
			dst = append(dst, ", "...)
			dst = append(dst, icmp6ParamNames[code]...)
			dst = append(dst, " - octet "...)
			return appendUint(dst, uint64(binary.BigEndian.Uint32(p[4:]))), true, false
		}
		dst = append(dst, ", code-#"...)
		return appendUint(dst, uint64(code)), true, false
	case 128, 129:
		if !need(8) {
			return dst, false, false
		}
		dst = append(dst, ", id "...)
		dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[4:])))
		dst = append(dst, ", seq "...)
		return appendUint(dst, uint64(binary.BigEndian.Uint16(p[6:]))), true, false
	case 130:
		return appendMLDQuery(dst, p, length), true, false
	case 131, 132:
		return appendMLD(dst, p), true, false
	case 135, 136:
		if !need(24) {
			return dst, false, false
		}
		if typ == 135 {
			dst = append(dst, ", who has "...)
		} else {
			dst = append(dst, ", tgt is "...)
		}
		return appendIPv6(dst, p[8:24]), true, false
	case 137:
		if !need(40) {
			return dst, false, false
		}
		dst = appendIPv6(append(dst, ", "...), p[24:40])
		return appendIPv6(append(dst, " to "...), p[8:24]), true, false
	case 143:
		if length < 8 {
			dst = append(dst, " [invalid len "...)
			return append(appendUint(dst, uint64(length)), ']'), true, false
		}
		if !need(8) {
			return dst, false, false
		}
		dst = append(dst, ", "...)
		dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[6:])))
		return append(dst, " group record(s)"...), true, false
	case 144, 146:
		if !need(6) {
			return dst, false, false
		}
		dst = append(dst, ", id 0x"...)
		return appendHex(dst, uint64(binary.BigEndian.Uint16(p[4:])), 4), true, false
	}
	return dst, true, false
}

func appendICMP6Unreach(dst, p []byte, code uint8) (_ []byte, ok, end bool) {
	if int(code) >= len(icmp6UnreachNames) {
		dst = append(dst, ", unknown unreach code ("...)
		return append(appendUint(dst, uint64(code)), ')'), true, true
	}
	dst = append(dst, ", "...)
	dst = append(dst, icmp6UnreachNames[code]...)
	oip := p[8:]
	switch code {
	case 2:
		dst = appendIPv6(append(dst, ' '), oip[24:40])
		return appendIPv6(append(dst, ", source address "...), oip[8:24]), true, false
	case 4:
		proto, dport, found := quotedPort6(oip)
		if !found {
			return dst, false, false
		}
		dst = appendIPv6(append(dst, ", "...), oip[24:40])
		switch proto {
		case 6:
			dst = append(dst, " tcp port "...)
		case 17:
			dst = append(dst, " udp port "...)
		}
		return appendUint(dst, uint64(dport)), true, false
	}
	return appendIPv6(append(dst, ' '), oip[24:40]), true, false
}

// quotedPort6 walks the extension headers of a quoted IPv6 packet to the
// UDP or TCP destination port, as tcpdump's get_upperlayer.
func quotedPort6(ip []byte) (proto uint8, port uint16, ok bool) {
	nh, b := ip[6], ip[40:]
	for {
		switch nh {
		case 6, 17:
			if len(b) < 4 {
				return 0, 0, false
			}
			return nh, binary.BigEndian.Uint16(b[2:]), true
		case 0, 60, 43:
			if len(b) < 2 || len(b) < (int(b[1])+1)*8 {
				return 0, 0, false
			}
			nh, b = b[0], b[(int(b[1])+1)*8:]
		case 44:
			if len(b) < 8 || binary.BigEndian.Uint16(b[2:])&0xfff8 != 0 {
				return 0, 0, false
			}
			nh, b = b[0], b[8:]
		case 51: // AH
			if len(b) < 2 || len(b) < (int(b[1])+2)*4 {
				return 0, 0, false
			}
			nh, b = b[0], b[(int(b[1])+2)*4:]
		default:
			return 0, 0, false
		}
	}
}

// appendMLD prints an MLDv1 report or done as tcpdump's mld6_print, which
// prints nothing when the message was not captured whole.
func appendMLD(dst, p []byte) []byte {
	if len(p) < 24 {
		return dst
	}
	dst = append(dst, "max resp delay: "...)
	dst = appendUint(dst, uint64(binary.BigEndian.Uint16(p[4:])))
	dst = append(dst, " addr: "...)
	return appendIPv6(dst, p[8:24])
}

// appendMLDQuery prints an MLDv1 (24 bytes) or MLDv2 (28 or more) query.
func appendMLDQuery(dst, p []byte, length int) []byte {
	switch {
	case length == 24:
		return appendMLD(dst, p)
	case length < 28:
		dst = append(dst, " unknown-version (len "...)
		return append(appendUint(dst, uint64(length)), ") "...)
	}
	dst = append(dst, " v2"...)
	if len(p) < 28 {
		return dst
	}
	dst = appendIPv6(append(dst, " [gaddr "...), p[8:24])
	if n := int(binary.BigEndian.Uint16(p[26:])); n > 0 {
		if length < 28+16*n {
			dst = append(dst, " [invalid number of sources]"...)
		} else {
			dst = append(dst, " { "...)
			for i := 0; i < n && len(p) >= 28+16*(i+1); i++ {
				dst = appendIPv6(dst, p[28+16*i:28+16*(i+1)])
				dst = append(dst, ' ')
			}
			dst = append(dst, '}')
		}
	}
	return append(dst, ']')
}
