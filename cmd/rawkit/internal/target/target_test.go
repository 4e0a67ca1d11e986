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
	} {
		a, literal, err := Lookup(t.Context(), c.host, c.family)
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
