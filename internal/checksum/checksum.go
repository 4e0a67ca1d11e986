// Package checksum is rawkit's one Internet checksum (RFC 1071), shared by
// the packet builders, both probe engines and the namespace lab.
//
// A checksum is computed in two steps. [Sum] adds bytes to a running 64-bit
// sum of big-endian 32-bit words (ones' complement addition may be done in
// any word size and folded at the end: RFC 1071 section 2, "deferred
// carries"), and [Fold] reduces that sum to 16 bits with end-around carries.
// Fold does not complement: the checksum field holds ^Fold(s), which
// [Checksum] returns; code that solves for a field value (a Paris
// traceroute's constant checksum) works on the folded, uncomplemented sum.
package checksum

import (
	"encoding/binary"
	"net/netip"
)

// Sum adds b to the running sum s and returns the new sum. Only the last
// chunk of a message may have an odd length: its final byte is added as
// the high byte of a word whose low byte is zero (RFC 1071's padding).
func Sum(b []byte, s uint64) uint64 {
	for len(b) >= 32 {
		s += uint64(binary.BigEndian.Uint32(b[0:])) +
			uint64(binary.BigEndian.Uint32(b[4:])) +
			uint64(binary.BigEndian.Uint32(b[8:])) +
			uint64(binary.BigEndian.Uint32(b[12:])) +
			uint64(binary.BigEndian.Uint32(b[16:])) +
			uint64(binary.BigEndian.Uint32(b[20:])) +
			uint64(binary.BigEndian.Uint32(b[24:])) +
			uint64(binary.BigEndian.Uint32(b[28:]))
		b = b[32:]
	}
	for len(b) >= 4 {
		s += uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// Fold reduces s to 16 bits with end-around carries: the ones' complement
// sum of the words added to s. It does not complement the result.
func Fold(s uint64) uint16 {
	s = s>>32 + s&0xffffffff
	s = s>>32 + s&0xffffffff
	s = s>>16 + s&0xffff
	s = s>>16 + s&0xffff
	return uint16(s)
}

// Checksum returns the Internet checksum of b: the ones' complement of the
// ones' complement sum of its 16-bit words.
func Checksum(b []byte) uint16 { return ^Fold(Sum(b, 0)) }

// Pseudo returns the sum of the pseudo-header that a TCP, UDP or ICMPv6
// checksum covers: source and destination address, the upper-layer
// protocol and the upper-layer length (RFC 768 and RFC 793 for IPv4,
// RFC 8200 section 8.1 for IPv6). src and dst are both IPv4 or both IPv6.
func Pseudo(src, dst netip.Addr, proto uint8, length int) uint64 {
	var s uint64
	if src.Is4() {
		a, b := src.As4(), dst.As4()
		s = Sum(a[:], Sum(b[:], 0))
	} else {
		a, b := src.As16(), dst.As16()
		s = Sum(a[:], Sum(b[:], 0))
	}
	return s + uint64(proto) + uint64(uint32(length))>>16 + uint64(length&0xffff)
}
