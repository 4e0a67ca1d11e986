package target

import (
	"net/netip"
	"strings"
	"testing"
)

// TestLookupAddresses: addresses are taken as written, unmapped, checked
// against -4 or -6 and for their zone; the errors name the host.
func TestLookupAddresses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		host   string
		family int
		want   string // the address, or the error
	}{
		{"127.0.0.1", 0, "127.0.0.1"},
		{"::ffff:127.0.0.1", 4, "127.0.0.1"},
		{"::1", 6, "::1"},
		{"fe80::1%lo", 0, "fe80::1%lo"},
		{"::1", 4, `bad host "::1": an IPv6 address, and -4 asks for IPv4`},
		{"127.0.0.1", 6, `bad host "127.0.0.1": an IPv4 address, and -6 asks for IPv6`},
		{"fe80::1%nosuch0", 0, `bad address "fe80::1%nosuch0": unknown zone "nosuch0": no such interface`},
		{"fd00::zz", 0, `bad IPv6 address "fd00::zz": `}, // then netip's reason
		// What inet_aton(3) reads, as iputils takes it.
		{"127.1", 0, "127.0.0.1"},
		{"0", 0, "0.0.0.0"},
		{"127.0.1", 4, "127.0.0.1"},
		{"2130706433", 0, "127.0.0.1"},
		{"0x7f.1", 0, "127.0.0.1"},
		{"017.0.0.1", 0, "15.0.0.1"},
		{"10.0.65535", 0, "10.0.255.255"},
		{"127.1", 6, `bad host "127.1": an IPv4 address, and -6 asks for IPv6`},
		// A numeric zone is an interface index: 1 is the loopback.
		{"::1%1", 0, "::1%lo"},
		{"fe80::1%999999", 0, `bad address "fe80::1%999999": unknown zone "999999": no such interface`},
	} {
		a, literal, err := Lookup(t.Context(), nil, c.host, c.family) // literals: no lookup
		got := a.String()
		if err != nil {
			got = err.Error()
		} else if !literal {
			t.Errorf("%q: not taken as an address", c.host)
		}
		if got != c.want && !(strings.HasSuffix(c.want, ": ") && strings.HasPrefix(got, c.want)) {
			t.Errorf("Lookup(%q, %d) = %s, want %s", c.host, c.family, got, c.want)
		}
	}
}

func TestIPv(t *testing.T) {
	t.Parallel()
	if IPv(netip.MustParseAddr("10.0.0.1")) != 4 || IPv(netip.MustParseAddr("fd00::1")) != 6 {
		t.Error("wrong IP version")
	}
}

// TestParseAtonRefuses: what inet_aton(3) refuses is not an address here
// either, and is then looked up as a name.
func TestParseAtonRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", ".", "1.", ".1", "1.2.3.4.5", "256.1", "1.2.65536", "1.2.3.256", "4294967296",
		"09", "0x", "0x1g", "-1", "+1", "1_0", "0b1", "0B1", "0o7", "a.b", "1.2.3.4 ", "host", "1e3"} {
		if a, ok := parseAton(s); ok {
			t.Errorf("parseAton(%q) = %v", s, a)
		}
	}
}
