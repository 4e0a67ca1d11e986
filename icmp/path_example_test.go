package icmp_test

import (
	"fmt"

	"github.com/rawkit/rawkit/icmp"
)

// The smallest probes: headers, plus in Paris mode the two payload bytes
// that keep the flow's checksum fixed (ICMP) or carry the probe's
// identity (UDP).
func ExampleMinPathLength() {
	for _, m := range []icmp.Method{icmp.MethodUDP, icmp.MethodICMP, icmp.MethodTCP} {
		fmt.Println(m, icmp.MinPathLength(m, false), icmp.MinPathLength(m, true))
	}
	// Output:
	// udp 30 28
	// icmp 30 28
	// tcp 60 60
}
