//go:build linux

package netlab

import "testing"

func TestIP6tables(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"iptables", "ip6tables"},
		{"iptables-legacy", "ip6tables-legacy"},
		{"iptables-nft", "ip6tables-nft"},
		{"/usr/sbin/iptables-nft", "/usr/sbin/ip6tables-nft"},
		{"/opt/xt/xtables", "/opt/xt/ip6tables"},
	} {
		if got := ip6tables(c.in); got != c.want {
			t.Errorf("ip6tables(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
