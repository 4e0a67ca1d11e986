package spec_test

import (
	"fmt"
	"net/netip"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/craft/spec"
)

// The README's spec snippet: a spec, its packets and their bytes.
func Example() {
	pkts, err := spec.Parse(`ip(src=10.0.0.1, dst=10.0.0.2, ttl=[1,2])/icmp(id=7, seq=1)`)
	if err != nil {
		fmt.Println(err) // a *spec.Error: what is wrong, at which column
		return
	}
	for _, p := range pkts {
		fmt.Println(craft.Summary(p.Bytes, layers.LayerTypeIPv4), "ttl", p.Bytes[8])
	}
	// Output:
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 8 ttl 1
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 8 ttl 2
}

func ExampleParseConfig() {
	cfg := &spec.Config{Source: func(netip.Addr) (netip.Addr, error) {
		return netip.MustParseAddr("10.0.0.1"), nil
	}}
	pkts, err := spec.ParseConfig(`ip(dst=10.0.0.2, ttl=1-2)/udp(sport=1234, dport=[53,123])/raw("hi")`, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pkts {
		fmt.Printf("%x\n", p.Bytes)
	}
	// Output:
	// 4500001e000100000111a5cc0a0000010a00000204d20035000a7e676869
	// 4500001e000100000111a5cc0a0000010a00000204d2007b000a7e216869
	// 4500001e000100000211a4cc0a0000010a00000204d20035000a7e676869
	// 4500001e000100000211a4cc0a0000010a00000204d2007b000a7e216869
}

func ExampleError() {
	_, err := spec.Parse("ip(dst=10.0.0.2, ttll=3)/icmp()")
	if se, ok := err.(*spec.Error); ok {
		fmt.Println(se.Error())
		fmt.Println(se.Caret())
	}
	// Output:
	// unknown field 'ttll' in ip(...) at column 18; did you mean 'ttl'?
	//   ip(dst=10.0.0.2, ttll=3)/icmp()
	//                    ^
}

func ExampleParseConfig_iPv6() {
	cfg := &spec.Config{Source: func(netip.Addr) (netip.Addr, error) {
		return netip.MustParseAddr("fd00::1"), nil
	}}
	pkts, err := spec.ParseConfig(`ip6(dst=fd00::2-3, hlim=3)/icmp6(type=echo-request, id=1, seq=1)`, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pkts {
		fmt.Println(craft.Summary(p.Bytes, layers.LayerTypeIPv6))
	}
	// Output:
	// IP6 fd00::1 > fd00::2: ICMP6, echo request, id 1, seq 1, length 8
	// IP6 fd00::1 > fd00::3: ICMP6, echo request, id 1, seq 1, length 8
}
