package craft

import (
	"encoding/binary"
	"net"
)

// The Internet checksum (RFC 1071): the ones' complement of the ones'
// complement sum of 16-bit big-endian words. Summing 32-bit words into a
// 64-bit accumulator and folding at the end gives the same result (RFC 1071
// section 2, "deferred carries") at a fraction of the cost.

// sum adds b to the running sum s. Only the last chunk of a message may have
// an odd length; it is padded with a zero byte.
func sum(b []byte, s uint64) uint64 {
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

// fold reduces s to 16 bits with end-around carries and complements it.
func fold(s uint64) uint16 {
	s = s>>32 + s&0xffffffff
	s = s>>32 + s&0xffffffff
	s = s>>16 + s&0xffff
	s = s>>16 + s&0xffff
	return ^uint16(s)
}

// InternetChecksum returns the Internet checksum of b (RFC 1071).
func InternetChecksum(b []byte) uint16 { return fold(sum(b, 0)) }

// pseudo returns the sum of the IPv4 pseudo-header (RFC 793, RFC 768):
// source, destination, protocol and the transport length.
func pseudo(src, dst net.IP, proto uint8, length int) uint64 {
	return uint64(binary.BigEndian.Uint32(src)) + uint64(binary.BigEndian.Uint32(dst)) +
		uint64(proto) + uint64(length)
}
