package netlab_test

import (
	"fmt"
	"net/netip"

	"github.com/rawkit/rawkit/internal/netlab"
)

// A time exceeded quoting a UDP datagram from 10.0.1.1 port 40000,
// rewritten as behind a NAT that leaks its quotes.
func ExampleLeakNAT() {
	pkt := []byte{
		0x45, 0, 0, 56, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 3, 2, 10, 0, 1, 1, // IPv4, ICMP
		11, 0, 0, 0, 0, 0, 0, 0, // time exceeded
		0x45, 0, 0, 28, 0, 0, 0, 0, 1, 17, 0, 0, 10, 0, 1, 1, 10, 0, 5, 2, // the quoted datagram
		0x9c, 0x40, 0x82, 0x9a, 0, 8, 0x12, 0x34, // its UDP header: 40000 > 33434
	}
	out, err := netlab.LeakNAT(nil, pkt, netip.MustParseAddr("10.0.3.1"), 61000)
	if err != nil {
		fmt.Println(err)
		return
	}
	q := out[28:]
	fmt.Println(netip.AddrFrom4([4]byte(q[12:16])), int(q[20])<<8|int(q[21]))
	// Output: 10.0.3.1 61000
}
