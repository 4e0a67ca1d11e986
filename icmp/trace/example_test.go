package trace_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/rawkit/rawkit/icmp/trace"
)

// The smallest probes: headers, plus in Paris mode the two payload bytes
// that keep the flow's checksum fixed (ICMP) or carry the probe's
// identity (UDP).
func ExampleMinLength() {
	for _, m := range []trace.Method{trace.MethodUDP, trace.MethodICMP, trace.MethodTCP} {
		fmt.Println(m, trace.MinLength(m, false), trace.MinLength(m, true))
	}
	// Output:
	// udp 30 28
	// icmp 30 28
	// tcp 60 60
}

// A TCP trace to port 443, as `rawkit traceroute -T -p 443` runs it: New
// opens the sockets (it needs CAP_NET_RAW), Run reports each hop in
// order and returns the summary.
func ExampleNew() {
	dst := netip.MustParseAddr("192.0.2.1")
	p, err := trace.New(dst, &trace.Config{Method: trace.MethodTCP, Port: 443})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	sum, err := p.Run(context.Background(), trace.Events{Hop: func(h trace.Hop) {
		for _, r := range h.Probes {
			fmt.Println(h.TTL, r.From, r.RTT)
		}
	}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("reached:", sum.Reached, "in", sum.Hops, "hops")
}
