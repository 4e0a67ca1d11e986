package craft_test

import (
	"fmt"
	"net/netip"

	"github.com/rawkit/rawkit/craft"
)

func ExampleParseConfig() {
	cfg := &craft.SpecConfig{Source: func(netip.Addr) (netip.Addr, error) {
		return netip.MustParseAddr("10.0.0.1"), nil
	}}
	pkts, err := craft.ParseConfig(`ip(dst=10.0.0.2, ttl=1-2)/udp(sport=1234, dport=[53,123])/raw("hi")`, cfg)
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

func ExampleSpecError() {
	_, err := craft.Parse("ip(dst=10.0.0.2, ttll=3)/icmp()")
	if se, ok := err.(*craft.SpecError); ok {
		fmt.Println(se.Error())
		fmt.Println(se.Caret())
	}
	// Output:
	// unknown field 'ttll' in ip(...) at column 18; did you mean 'ttl'?
	//   ip(dst=10.0.0.2, ttll=3)/icmp()
	//                    ^
}
