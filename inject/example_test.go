package inject_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/inject"
)

// A Matcher pairs received packets with the ones sent: here a SYN-ACK
// answers the second of two SYNs, and an ICMP error quoting the first
// answers it.
func ExampleMatcher() {
	src := &spec.Config{Source: func(netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("10.0.0.1"), nil }}
	sent, _ := spec.ParseConfig("ip(dst=10.0.0.2)/tcp(sport=40000, dport=[22,80], seq=1000)", src)
	m := inject.NewMatcher([][]byte{sent[0].Bytes, sent[1].Bytes})

	synack, _ := spec.Parse("ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=80, dport=40000, flags=SA, ack=1001)")
	fmt.Println(m.Match(synack[0].Bytes))

	quote := fmt.Sprintf(`raw(hex="%x")`, sent[0].Bytes[:28])
	unreach, _ := spec.Parse("ip(src=10.0.0.254, dst=10.0.0.1)/icmp(type=dest-unreach, code=host-prohibited)/" + quote)
	fmt.Println(m.Match(unreach[0].Bytes))

	other, _ := spec.Parse("ip(src=10.0.0.2, dst=10.0.0.1)/tcp(sport=443, dport=40000, flags=SA, ack=1001)")
	fmt.Println(m.Match(other[0].Bytes))
	// Output:
	// 1 true
	// 0 true
	// 0 false
}

// Sending a spec's packets and printing their answers, as
// `rawkit send --wait=1s SPEC` does (it needs CAP_NET_RAW).
func ExampleSession() {
	pkts, err := inject.Parse("ip(dst=127.0.0.1)/tcp(dport=[22,80], flags=S)", "")
	if err != nil {
		fmt.Println(err) // a *spec.Error: what is wrong and where
		return
	}
	s, err := inject.Open(pkts, &inject.Config{Wait: time.Second})
	if err != nil {
		fmt.Println(err) // without privilege: what to do about it
		return
	}
	defer s.Close()
	res, err := s.Run(context.Background())
	if err != nil {
		fmt.Println(err)
	}
	for _, a := range res.Answers {
		fmt.Printf("packet %d: %s (%v)\n", a.Index, craft.Summary(a.Data, layers.LayerTypeIPv4), a.RTT)
	}
}
