// Package byteorder converts between the host's byte order and network
// byte order where a system call wants a value already converted, as
// packet(7) wants its protocol number.
package byteorder

import "encoding/binary"

// Htons returns v with its bytes in network order, read as a host-order
// uint16: what C's htons(3) returns.
func Htons(v uint16) uint16 {
	return binary.NativeEndian.Uint16(binary.BigEndian.AppendUint16(nil, v))
}
