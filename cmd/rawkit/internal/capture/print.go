package capture

import (
	"encoding/binary"
	"net"
	"strconv"
	"time"

	"github.com/gopacket/gopacket/layers"
	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/craft"
)

// appendLine formats one packet as tcpdump -n does: local time with
// microseconds, then craft's summary; on cooked captures ("any") the
// interface and direction come first, as tcpdump prints them.
func appendLine(dst []byte, ts time.Time, data []byte, link rcapture.LinkType, names *ifNames) []byte {
	dst = appendClock(dst, ts)
	switch link {
	case rcapture.LinkEthernet:
		dst = craft.AppendSummary(dst, data, layers.LayerTypeEthernet)
	case rcapture.LinkRaw, rcapture.LinkIPv4, rcapture.LinkIPv6:
		// The summary tells IPv4 from IPv6 by the version field.
		dst = craft.AppendSummary(dst, data, layers.LayerTypeIPv4)
	case rcapture.LinkNull:
		// A 4-byte address family in the writer's byte order, then the
		// network header; tcpdump -n prints no more than that header.
		if len(data) < 4 {
			dst = append(dst, "[|null]"...)
		} else {
			dst = craft.AppendSummary(dst, data[4:], layers.LayerTypeIPv4)
		}
	case rcapture.LinkLinuxSLL2, rcapture.LinkLinuxSLL:
		dst = appendCooked(dst, data, link, names)
	default:
		dst = append(dst, "link type "...)
		dst = append(dst, link.String()...)
		dst = append(dst, ", length "...)
		dst = strconv.AppendInt(dst, int64(len(data)), 10)
	}
	return append(dst, '\n')
}

// appendClock appends "HH:MM:SS.uuuuuu " without allocating.
func appendClock(dst []byte, ts time.Time) []byte {
	h, m, s := ts.Clock()
	us := ts.Nanosecond() / 1000
	dst = append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.')
	for d := 100000; d > 0; d /= 10 {
		dst = append(dst, byte('0'+us/d%10))
	}
	return append(dst, ' ')
}

var directions = [...]string{"In ", "B  ", "M  ", "P  ", "Out"}

func appendCooked(dst, data []byte, link rcapture.LinkType, names *ifNames) []byte {
	var proto uint16
	var pkttype byte
	var payload []byte
	switch {
	case link == rcapture.LinkLinuxSLL2 && len(data) >= 20:
		proto, pkttype, payload = binary.BigEndian.Uint16(data), data[10], data[20:]
		dst = append(dst, names.name(int(binary.BigEndian.Uint32(data[4:])))...)
		dst = append(dst, ' ')
	case link == rcapture.LinkLinuxSLL && len(data) >= 16:
		proto, pkttype, payload = binary.BigEndian.Uint16(data[14:]), data[1], data[16:]
	default:
		return append(dst, "[|cooked]"...)
	}
	if int(pkttype) < len(directions) {
		dst = append(dst, directions[pkttype]...)
	}
	dst = append(dst, ' ')
	switch proto {
	case 0x0800, 0x86dd:
		return craft.AppendSummary(dst, payload, layers.LayerTypeIPv4)
	case 0x0806:
		return craft.AppendSummary(dst, payload, layers.LayerTypeARP)
	}
	dst = append(dst, "ethertype 0x"...)
	dst = strconv.AppendUint(dst, uint64(proto), 16)
	dst = append(dst, ", length "...)
	return strconv.AppendInt(dst, int64(len(payload)), 10)
}

// ifNames caches interface names by index for cooked captures.
type ifNames map[int]string

func (n *ifNames) name(index int) string {
	if *n == nil {
		*n = ifNames{}
	}
	if s, ok := (*n)[index]; ok {
		return s
	}
	s := "if" + strconv.Itoa(index)
	if ifi, err := net.InterfaceByIndex(index); err == nil {
		s = ifi.Name
	}
	for len(s) < 5 {
		s += " "
	}
	(*n)[index] = s
	return s
}
