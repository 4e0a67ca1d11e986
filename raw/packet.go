package raw

import (
	"fmt"
	"net/netip"
)

// checkPacket rejects, before anything is sent, what the kernel would
// refuse or silently alter: packets over 65,535 bytes and, with the header
// included, a header that is not a whole IPv4 header. Index i names the
// packet in batch errors; -1 for a single write.
func checkPacket(b []byte, hdrincl bool, i int) error {
	if !hdrincl {
		if len(b)+ipv4HeaderSize > maxPacket {
			return packetError(i, "payload of %d bytes exceeds %d with the IPv4 header", len(b), maxPacket)
		}
		return nil
	}
	switch {
	case len(b) > maxPacket:
		return packetError(i, "%d bytes exceeds %d", len(b), maxPacket)
	case len(b) < ipv4HeaderSize:
		return packetError(i, "%d bytes is shorter than an IPv4 header", len(b))
	}
	switch hl := int(b[0]&0x0f) * 4; {
	case b[0]>>4 != 4:
		return packetError(i, "IP version %d, want 4", b[0]>>4)
	case hl < ipv4HeaderSize:
		return packetError(i, "IPv4 header length %d bytes is below 20", hl)
	case hl > len(b):
		return packetError(i, "IPv4 header length %d bytes exceeds the packet's %d", hl, len(b))
	}
	return nil
}

func packetError(i int, format string, args ...any) error {
	if i < 0 {
		return inputErrorf("packet: "+format, args...)
	}
	return inputErrorf("packet %d: %s", i, fmt.Sprintf(format, args...))
}

// destination returns the IPv4 address to send to. With the header
// included an invalid dst means the header's destination (checked to be
// there by checkPacket).
func destination(dst netip.Addr, hdrincl bool, pkt []byte) (netip.Addr, error) {
	if !dst.IsValid() {
		if hdrincl && len(pkt) >= ipv4HeaderSize {
			return netip.AddrFrom4([4]byte(pkt[16:20])), nil
		}
		return dst, inputErrorf("no destination address")
	}
	if d := dst.Unmap(); d.Is4() {
		return d, nil
	}
	return dst, inputErrorf("destination address %s is not IPv4", dst)
}
