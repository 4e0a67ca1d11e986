package raw

// CheckPacket returns the error a header-included socket of the family
// (IPv6 when v6) refuses packet b with before sending it, or nil: what
// WriteTo and WriteBatch check, for a program that wants to check its
// packets without a socket (a dry run) or before sending any. A
// non-negative n numbers the packet in the error.
func CheckPacket(b []byte, v6 bool, n int) error {
	if v6 {
		return checkPacket6(b, true, n)
	}
	return checkPacket(b, true, n)
}
