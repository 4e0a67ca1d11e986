package inject_test

import (
	"fmt"
	"net/netip"

	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/inject"
)

// A Matcher pairs received packets with the ones sent: here a SYN-ACK
// answers the second of two SYNs, and an ICMP error quoting the first
// answers it.
func ExampleMatcher() {
	src := &craft.SpecConfig{Source: func(netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("10.0.0.1"), nil }}
	sent, _ := craft.ParseConfig("ip(dst=10.0.0.2)/tcp(sport=40000, dport=[22,80], seq=1000)", src)
	m := inject.NewMatcher([][]byte{sent[0].Bytes, sent[1].Bytes})

	synack, _ := craft.Parse("ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40000, flags=SA, ack=1001)")
	fmt.Println(m.Match(synack[0].Bytes))

	quote := fmt.Sprintf(`raw(hex="%x")`, sent[0].Bytes[:28])
	unreach, _ := craft.Parse("ip(src=10.0.0.254, dst=10.0.0.1)/icmp(type=dest-unreach, code=host-prohibited)/" + quote)
	fmt.Println(m.Match(unreach[0].Bytes))

	other, _ := craft.Parse("ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=443, dport=40000, flags=SA, ack=1001)")
	fmt.Println(m.Match(other[0].Bytes))
	// Output:
	// 1 true
	// 0 true
	// 0 false
}
