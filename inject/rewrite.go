package inject

import (
	"encoding/binary"

	"github.com/rawkit/rawkit/internal/checksum"
)

// kernelRewrites reports whether Linux would change b, an IPv4 packet
// from its header on, when sending it through a header-included raw
// socket. With a header of 20 bytes or more the kernel sets the total
// length to the packet's size, fills a zero identification and a zero
// source address, and computes the header checksum (raw(7); net/ipv4/raw.c,
// raw_send_hdrinc); it refuses a header longer than the packet. Such
// packets go out through a packet socket instead (packet(7)), which sends
// them as they are.
//
// IPv6 packets are sent as they are (IPV6_HDRINCL; net/ipv6/raw.c,
// rawv6_send_hdrinc), so none needs the packet socket.
func kernelRewrites(b []byte) bool {
	if len(b) < 20 || b[0]>>4 == 6 {
		return false
	}
	ihl := int(b[0]&0x0f) * 4
	switch {
	case ihl < 20:
		return false // the kernel leaves such a header alone
	case ihl > len(b):
		return true // the kernel refuses it (EINVAL)
	case int(binary.BigEndian.Uint16(b[2:])) != len(b):
		return true
	case binary.BigEndian.Uint16(b[4:]) == 0:
		return true
	case binary.BigEndian.Uint32(b[12:]) == 0:
		return true
	}
	return headerSum(b[:ihl]) != binary.BigEndian.Uint16(b[10:])
}

// headerSum is the IPv4 header checksum of h, its checksum field taken
// as zero (RFC 1071).
func headerSum(h []byte) uint16 {
	if len(h) < 12 {
		return ^checksum.Fold(checksum.Sum(h, 0))
	}
	return ^checksum.Fold(checksum.Sum(h[:10], checksum.Sum(h[12:], 0)))
}
