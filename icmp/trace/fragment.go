package trace

import (
	"encoding/binary"

	"github.com/rawkit/rawkit/internal/checksum"
)

// Fragmentation. Probes go out on a header-included raw socket, which
// the kernel never fragments: a packet larger than the MTU of the
// route's interface fails with EMSGSIZE (raw(7) for IPv4, and IPv6's
// IPV6_HDRINCL likewise). traceroute's probes, sent on ordinary sockets,
// are fragmented by the kernel; the engine fragments its own the same
// way, so that `traceroute HOST 3000` works across a 1500-byte link.
// Routers answer only the first fragment (RFC 1812 4.3.2.7; Linux's
// icmp_send), which carries the transport header: the quote matching is
// the same as for a whole probe. The destination answers once it has
// reassembled the probe.

const (
	flagMF         = 0x2000 // IPv4 more fragments
	fragHeaderLen  = 8      // IPv6 Fragment header (RFC 8200 4.5)
	nextHeaderFrag = 44
	minMTU4        = 68   // RFC 791: every IPv4 link carries 68 bytes whole
	minMTU6        = 1280 // RFC 8200 5
)

// fragment4 splits pkt, a whole IPv4 packet with a 20-byte header and
// DF clear, into fragments of at most mtu bytes (RFC 791 3.2): every
// fragment's data but the last's is a multiple of 8 bytes, the first
// carries the transport header, each has the packet's ID, its offset in
// 8-byte units, MF on all but the last, and its own header checksum.
// The fragments are written into bufs (grown as needed) and returned; a
// packet that fits, or an mtu below 68, is returned whole in bufs[0].
func fragment4(bufs [][]byte, pkt []byte, mtu int) [][]byte {
	if len(pkt) <= mtu || mtu < minMTU4 {
		return appendFrag(bufs[:0], pkt)
	}
	data := pkt[ipHeaderLen:]
	step := (mtu - ipHeaderLen) &^ 7
	out := bufs[:0]
	for off := 0; off < len(data); off += step {
		end := min(off+step, len(data))
		out = appendFrag(out, pkt[:ipHeaderLen])
		f := append(out[len(out)-1], data[off:end]...)
		binary.BigEndian.PutUint16(f[2:], uint16(len(f)))
		fo := uint16(off / 8)
		if end < len(data) {
			fo |= flagMF
		}
		binary.BigEndian.PutUint16(f[6:], fo)
		binary.BigEndian.PutUint16(f[10:], 0)
		binary.BigEndian.PutUint16(f[10:], checksum.Checksum(f[:ipHeaderLen]))
		out[len(out)-1] = f
	}
	return out
}

// fragment6 splits pkt, a whole IPv6 packet whose 40-byte header is
// followed by the upper-layer header (no extension headers), into
// fragments of at most mtu bytes (RFC 8200 4.5): each is the IPv6
// header, payload length fixed, next header 44, then a Fragment header
// (the upper layer's next header, the offset in 8-byte units, M on all
// but the last, the identification id), then a piece of the upper-layer
// packet, a multiple of 8 bytes in all but the last. The fragments are
// written into bufs (grown as needed) and returned; a packet that fits,
// or an mtu below 1280, is returned whole in bufs[0].
func fragment6(bufs [][]byte, pkt []byte, mtu int, id uint32) [][]byte {
	if len(pkt) <= mtu || mtu < minMTU6 {
		return appendFrag(bufs[:0], pkt)
	}
	data := pkt[ipv6HeaderLen:]
	step := (mtu - ipv6HeaderLen - fragHeaderLen) &^ 7
	out := bufs[:0]
	for off := 0; off < len(data); off += step {
		end := min(off+step, len(data))
		out = appendFrag(out, pkt[:ipv6HeaderLen])
		f := out[len(out)-1]
		var fh [fragHeaderLen]byte
		fh[0] = pkt[6] // the upper layer's protocol
		fo := uint16(off/8) << 3
		if end < len(data) {
			fo |= 1 // M
		}
		binary.BigEndian.PutUint16(fh[2:], fo)
		binary.BigEndian.PutUint32(fh[4:], id)
		f = append(append(f, fh[:]...), data[off:end]...)
		binary.BigEndian.PutUint16(f[4:], uint16(len(f)-ipv6HeaderLen))
		f[6] = nextHeaderFrag
		out[len(out)-1] = f
	}
	return out
}

// appendFrag appends to out a buffer holding a copy of b, reusing the
// buffer that out's backing array already has at that place.
func appendFrag(out [][]byte, b []byte) [][]byte {
	var buf []byte
	if len(out) < cap(out) {
		buf = out[: len(out)+1 : cap(out)][len(out)]
	}
	return append(out, append(buf[:0], b...))
}
