package target

import (
	"net/netip"
	"strconv"
	"strings"
)

// atoi reads a run of decimal digits, -1 if it does not fit an int.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// parseAton reads the IPv4 forms inet_aton(3) takes, as iputils ping
// (through getaddrinfo) does: one to four numbers separated by dots, the
// last filling the bytes left ("127.1" is 127.0.0.1, "0" is 0.0.0.0,
// "2130706433" 127.0.0.1), each decimal, octal after 0 or hexadecimal
// after 0x as strtoul reads them with base 0.
func parseAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		// Digits only (with 0x): strconv's base 0 would also take signs,
		// underscores, 0o and 0b, which inet_aton does not.
		q := strings.TrimPrefix(strings.ToLower(p), "0x")
		if q == "" || strings.Trim(q, "0123456789abcdef") != "" || strings.HasPrefix(strings.ToLower(p), "0b") {
			return netip.Addr{}, false
		}
		n, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		last := i == len(parts)-1
		// Every number but the last is one byte; the last fills the rest.
		bits := uint(8)
		if last {
			bits = uint(32 - 8*i)
		}
		if n >= 1<<bits {
			return netip.Addr{}, false
		}
		v = v<<bits | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
