package inject

import (
	"encoding/hex"
	"net/netip"
	"testing"

	packetspec "github.com/rawkit/rawkit/craft/spec"
)

var cfgA6 = &packetspec.Config{Source: func(netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("fd00::1"), nil }}

func build6(t *testing.T, spec string) [][]byte {
	t.Helper()
	return buildWith(t, cfgA6, spec)
}

// quoteOf6 returns a sent IPv6 packet as a raw(hex=...) layer, what an
// ICMPv6 error quotes.
func quoteOf6(b []byte) string { return `raw(hex="` + hex.EncodeToString(b) + `")` }

func TestMatcherIPv6(t *testing.T) {
	sent := build6(t, "ip6(dst=fd00::2, hlim=[1,64])/icmp6(id=7, seq=[1,2])")
	sent = append(sent, build6(t, "ip6(dst=fd00::2)/tcp(sport=40000, dport=[22,80], seq=1000)")...)
	sent = append(sent, build6(t, "ip6(dst=fd00::2)/hbh()/udp(sport=5000, dport=53)/raw(\"q\")")...)
	sent = append(sent, build6(t, "ip6(dst=fd00::2)/frag6(offset=10, id=99)/raw(size=16)")...)
	m := NewMatcher(sent)
	for _, tc := range []struct {
		name  string
		reply string
		want  int // -1: no match
	}{
		{"echo reply seq 2", "ip6(src=fd00::2, dst=fd00::1)/icmp6(type=echo-reply, id=7, seq=2)", 1},
		{"echo reply wrong id", "ip6(src=fd00::2, dst=fd00::1)/icmp6(type=echo-reply, id=8, seq=2)", -1},
		{"echo reply from elsewhere", "ip6(src=fd00::3, dst=fd00::1)/icmp6(type=echo-reply, id=7, seq=2)", -1},
		{"our own request", "ip6(src=fd00::1, dst=fd00::2)/icmp6(id=7, seq=2)", -1},
		{"time exceeded quoting hlim 1 seq 1", "ip6(src=fd00::fe, dst=fd00::1)/icmp6(type=time-exceeded)/" + quoteOf6(sent[0]), 0},
		{"syn-ack port 80", "ip6(src=fd00::2, dst=fd00::1)/tcp(sport=80, dport=40000, flags=SA, seq=5, ack=1001)", 5},
		{"rst-ack port 22", "ip6(src=fd00::2, dst=fd00::1)/tcp(sport=22, dport=40000, flags=RA, seq=0, ack=1001)", 4},
		{"syn-ack wrong ack", "ip6(src=fd00::2, dst=fd00::1)/tcp(sport=80, dport=40000, flags=SA, seq=5, ack=1000)", -1},
		{"udp reply", "ip6(src=fd00::2, dst=fd00::1)/udp(sport=53, dport=5000)/raw(\"a\")", 6},
		{"port unreachable through the hop-by-hop header", "ip6(src=fd00::2, dst=fd00::1)/icmp6(type=dest-unreach, code=port-unreachable)/" + quoteOf6(sent[6]), 6},
		{"packet too big quoting a later fragment", "ip6(src=fd00::fe, dst=fd00::1)/icmp6(type=ptb, mtu=1280)/" + quoteOf6(sent[7]), 7},
		{"error quoting someone else", "ip6(src=fd00::2, dst=fd00::1)/icmp6(type=dest-unreach, code=4)/ip6(src=fd00::1, dst=fd00::2)/udp(sport=5001, dport=53)", -1},
		{"an IPv4 answer", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=echo-reply, id=7, seq=2)", -1},
	} {
		reply := build6(t, tc.reply)[0]
		i, ok := m.Match(reply)
		if !ok {
			i = -1
		}
		if i != tc.want {
			t.Errorf("%s: matched %d, want %d", tc.name, i, tc.want)
		}
	}
}
