package craft

import "encoding/binary"

var arpOpNames = [...]string{
	1: "Request", 2: "Reply", 3: "Reverse Request", 4: "Reverse Reply",
	8: "Inverse Request", 9: "Inverse Reply", 10: "NACK Reply",
}

// appendARP prints an ARP or RARP packet as tcpdump 4.99's arp_print does
// without -e and -v; length is what the link layer carried.
func appendARP(dst, b []byte, length int) []byte {
	if len(b) < 8 {
		return trunc(dst, "arp")
	}
	hrd := binary.BigEndian.Uint16(b[0:])
	pro := binary.BigEndian.Uint16(b[2:])
	hln, pln := int(b[4]), int(b[5])
	op := binary.BigEndian.Uint16(b[6:])
	if len(b) < 8+2*hln+2*pln {
		return trunc(dst, "arp")
	}
	sha := b[8:]
	spa := sha[hln:]
	tha := spa[pln:]
	tpa := tha[hln:]
	dst = append(dst, "ARP, "...)
	if (pro != 0x0800 && pro != 0x1000) || pln != 4 || hln == 0 {
		if hrd == 1 {
			dst = append(dst, "Ethernet"...)
		} else {
			dst = append(dst, "Unknown Hardware ("...)
			dst = appendUint(dst, uint64(hrd))
			dst = append(dst, ')')
		}
		dst = append(dst, " (len "...)
		dst = appendUint(dst, uint64(hln))
		dst = append(dst, "), "...)
		switch pro {
		case 0x0800:
			dst = append(dst, "IPv4"...)
		case 0x86dd:
			dst = append(dst, "IPv6"...)
		default:
			dst = append(dst, "Unknown Protocol (0x"...)
			dst = appendHex(dst, uint64(pro), 4)
			dst = append(dst, ')')
		}
		dst = append(dst, " (len "...)
		dst = appendUint(dst, uint64(pln))
		dst = append(dst, ')')
		return appendARPLength(dst, length)
	}
	if int(op) < len(arpOpNames) && arpOpNames[op] != "" {
		dst = append(dst, arpOpNames[op]...)
	} else {
		dst = append(dst, "Unknown ("...)
		dst = appendUint(dst, uint64(op))
		dst = append(dst, ')')
	}
	dst = append(dst, ' ')
	switch op {
	case 1:
		dst = append(dst, "who-has "...)
		dst = appendIPv4(dst, tpa[:4])
		if !allZero(tha[:hln]) {
			dst = append(dst, " ("...)
			dst = appendMAC(dst, tha[:hln])
			dst = append(dst, ')')
		}
		dst = append(dst, " tell "...)
		dst = appendIPv4(dst, spa[:4])
	case 2:
		dst = appendIPv4(dst, spa[:4])
		dst = append(dst, " is-at "...)
		dst = appendMAC(dst, sha[:hln])
	case 3, 8:
		dst = append(dst, "who-is "...)
		dst = appendMAC(dst, tha[:hln])
		dst = append(dst, " tell "...)
		dst = appendMAC(dst, sha[:hln])
	case 4:
		dst = appendMAC(dst, tha[:hln])
		dst = append(dst, " at "...)
		dst = appendIPv4(dst, tpa[:4])
	case 9:
		dst = appendMAC(dst, sha[:hln])
		dst = append(dst, " at "...)
		dst = appendIPv4(dst, spa[:4])
	default:
		// tcpdump goes on with a hex dump on the following lines.
		return dst[:len(dst)-1]
	}
	return appendARPLength(dst, length)
}

func appendARPLength(dst []byte, length int) []byte {
	dst = append(dst, ", length "...)
	return appendUint(dst, uint64(length))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
