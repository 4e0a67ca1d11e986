package inject

import (
	"encoding/hex"
	"net/netip"
	"testing"

	packetspec "github.com/rawkit/rawkit/craft/spec"
)

var cfgA = &packetspec.Config{Source: func(netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("10.0.0.1"), nil }}

func build(t *testing.T, spec string) [][]byte {
	t.Helper()
	return buildWith(t, cfgA, spec)
}

// buildWith returns the bytes of spec's packets, sources from cfg.
func buildWith(t *testing.T, cfg *packetspec.Config, spec string) [][]byte {
	t.Helper()
	pkts, err := packetspec.ParseConfig(spec, cfg)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	out := make([][]byte, len(pkts))
	for i, p := range pkts {
		out[i] = p.Bytes
	}
	return out
}

// quoteOf returns the first 28 bytes of a packet as a raw(hex=...) layer,
// what a router quotes in an ICMP error.
func quoteOf(b []byte) string { return `raw(hex="` + hex.EncodeToString(b[:min(28, len(b))]) + `")` }

func TestMatcher(t *testing.T) {
	sent := build(t, "ip(dst=10.0.0.2, ttl=[1,64])/icmp(id=7, seq=[1,2])")
	sent = append(sent, build(t, "ip(dst=10.0.0.2)/tcp(sport=40000, dport=[22,80], seq=1000)")...)
	sent = append(sent, build(t, "ip(dst=10.0.0.2)/tcp(sport=40001, dport=80, flags=A, seq=5, ack=777)/raw(\"abc\")")...)
	sent = append(sent, build(t, "ip(dst=10.0.0.2)/udp(sport=5000, dport=53)/raw(\"q\")")...)
	sent = append(sent, build(t, "ip(dst=10.0.0.2, id=99, frag=10)/raw(size=16)")...)
	m := NewMatcher(sent)
	for _, tc := range []struct {
		name  string
		reply string
		want  int // -1: no match
	}{
		{"echo reply seq 2", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=echo-reply, id=7, seq=2)", 1},
		{"echo reply wrong id", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=echo-reply, id=8, seq=2)", -1},
		{"echo reply from elsewhere", "ip(src=10.0.0.3, dst=10.0.0.1)/icmp(type=echo-reply, id=7, seq=2)", -1},
		{"our own request", "ip(src=10.0.0.1, dst=10.0.0.2)/icmp(id=7, seq=2)", -1},
		{"time exceeded quoting ttl 1 seq 1", "ip(src=10.0.0.254, dst=10.0.0.1)/icmp(type=time-exceeded)/" + quoteOf(sent[0]), 0},
		{"time exceeded quoting seq 2", "ip(src=10.0.0.254, dst=10.0.0.1)/icmp(type=time-exceeded)/" + quoteOf(sent[3]), 1}, // the first of the identical two
		{"syn-ack port 80", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40000, flags=SA, seq=5, ack=1001)", 5},
		{"rst-ack port 22", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=22, dport=40000, flags=RA, seq=0, ack=1001)", 4},
		{"syn-ack wrong ack", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40000, flags=SA, seq=5, ack=1000)", -1},
		{"rst to a data segment", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40001, flags=R, seq=777)", 6},
		{"ack of the data", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40001, flags=A, seq=777, ack=8)", 6},
		{"syn seen on loopback", "ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40000, flags=S)", -1},
		{"udp reply", "ip(src=10.0.0.2, dst=10.0.0.1)/udp(sport=53, dport=5000)/raw(\"a\")", 7},
		{"udp wrong port", "ip(src=10.0.0.2, dst=10.0.0.1)/udp(sport=54, dport=5000)", -1},
		{"port unreachable", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=dest-unreach, code=port-unreachable)/" + quoteOf(sent[7]), 7},
		{"error quoting a fragment", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=time-exceeded, code=1)/" + quoteOf(sent[8]), 8},
		{"error quoting someone else", "ip(src=10.0.0.2, dst=10.0.0.1)/icmp(type=dest-unreach, code=3)/ip(src=10.0.0.1, dst=10.0.0.2)/udp(sport=5001, dport=53)", -1},
	} {
		reply := build(t, tc.reply)[0]
		i, ok := m.Match(reply)
		if !ok {
			i = -1
		}
		if i != tc.want {
			t.Errorf("%s: matched %d, want %d", tc.name, i, tc.want)
		}
	}
}
