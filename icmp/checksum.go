package icmp

import "encoding/binary"

// Checksum returns the Internet checksum (RFC 1071) of b.
func Checksum(b []byte) uint16 { return checksum(b, 0) }

// checksum is the Internet checksum of b with a starting sum, such as a
// pseudo-header's.
func checksum(b []byte, initial uint32) uint16 { return ^fold(sum16(b, initial)) }

// sum16 adds b as big-endian 16-bit words to s (RFC 1071), eight bytes
// at a time: one's complement addition may be done in any word size and
// folded at the end (RFC 1071 2(B)).
func sum16(b []byte, s uint32) uint32 {
	acc := uint64(s)
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>32 != 0 {
		acc = acc&0xffffffff + acc>>32
	}
	return uint32(acc)
}

// fold reduces a sum to 16 bits with end-around carries.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
