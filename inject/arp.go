package inject

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
)

// ARP over Ethernet (RFC 826): hardware type 1, protocol type IPv4,
// 6-byte hardware and 4-byte protocol addresses.
const (
	arpLen     = 28
	arpRequest = 1
	arpReply   = 2
)

// arpRequestFor builds the ARP request asking for target's hardware
// address, from hw and src (0.0.0.0 makes it a probe, RFC 5227, which is
// answered too).
func arpRequestFor(hw net.HardwareAddr, src, target netip.Addr) []byte {
	b := make([]byte, arpLen)
	binary.BigEndian.PutUint16(b[0:], 1)
	binary.BigEndian.PutUint16(b[2:], 0x0800)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], arpRequest)
	copy(b[8:14], hw)
	if src.Is4() {
		s := src.As4()
		copy(b[14:18], s[:])
	}
	t := target.As4()
	copy(b[24:28], t[:])
	return b
}

// arpReplyFrom returns the sender hardware address of b when b is an ARP
// reply over Ethernet from target.
func arpReplyFrom(b []byte, target netip.Addr) (net.HardwareAddr, bool) {
	t := target.As4()
	if len(b) < arpLen || binary.BigEndian.Uint16(b[0:]) != 1 || binary.BigEndian.Uint16(b[2:]) != 0x0800 ||
		b[4] != 6 || b[5] != 4 || binary.BigEndian.Uint16(b[6:]) != arpReply || !bytes.Equal(b[14:18], t[:]) {
		return nil, false
	}
	return net.HardwareAddr(bytes.Clone(b[8:14])), true
}

// Route types (rtnetlink(7)) that decide a link-layer destination
// without asking the neighbour table.
const (
	rtnLocal     = 2
	rtnBroadcast = 3
	rtnMulticast = 5
)

// fixedLinkAddr returns the link-layer destination of a packet to dst
// sent by a route of type rtype out of an interface with flags and a
// hardware address hwLen bytes long, when it needs no neighbour: none on
// point-to-point links and links without addresses, zeros on loopback,
// all ones for broadcast, the RFC 1112 mapping for multicast on Ethernet.
// ok is false when the neighbour table must answer.
func fixedLinkAddr(rtype uint8, flags net.Flags, hwLen int, dst netip.Addr) (addr net.HardwareAddr, ok bool) {
	switch {
	case flags&net.FlagLoopback != 0:
		return make(net.HardwareAddr, hwLen), true
	case flags&net.FlagPointToPoint != 0 || hwLen == 0:
		return nil, true
	case rtype == rtnBroadcast || dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return net.HardwareAddr(bytes.Repeat([]byte{0xff}, hwLen)), true
	case (rtype == rtnMulticast || dst.IsMulticast()) && hwLen == 6:
		d := dst.As4()
		return net.HardwareAddr{0x01, 0x00, 0x5e, d[1] & 0x7f, d[2], d[3]}, true
	}
	return nil, false
}
