package trace_test

import (
	"fmt"

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
