// Package netlink holds rawkit's one walker and encoder of netlink
// attributes (struct nlattr and struct rtattr, which share a layout: a
// 16-bit length that counts the 4-byte header, a 16-bit type, the payload,
// then padding to 4 bytes; see netlink(7) and rtnetlink(7)). The route
// lookups of inject and the path engine and the NFQUEUE programs of
// internal/netlab all read and write attributes through it. Header fields
// are in the host's byte order; payloads are whatever each family says.
package netlink

import (
	"encoding/binary"
	"iter"
)

// typeMask strips NLA_F_NESTED and NLA_F_NET_BYTEORDER from an attribute's
// type (<linux/netlink.h>).
const typeMask = 0x3fff

// Align rounds n up to the 4-byte boundary netlink aligns attributes to
// (NLA_ALIGN).
func Align(n int) int { return (n + 3) &^ 3 }

// Attrs yields the type (without its flag bits) and payload of each
// attribute in b, in order. It stops at the first attribute whose length
// is shorter than its header or runs past b, so a truncated or corrupt
// message yields only the attributes that are whole.
func Attrs(b []byte) iter.Seq2[uint16, []byte] {
	return func(yield func(uint16, []byte) bool) {
		for len(b) >= 4 {
			l := int(binary.NativeEndian.Uint16(b))
			if l < 4 || l > len(b) {
				return
			}
			if !yield(binary.NativeEndian.Uint16(b[2:])&typeMask, b[4:l]) {
				return
			}
			b = b[min(Align(l), len(b)):]
		}
	}
}

// AppendAttr appends to b one attribute of type typ carrying v, padded to
// 4 bytes.
func AppendAttr(b []byte, typ uint16, v []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(v)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
