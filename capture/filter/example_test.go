package filter_test

import (
	"fmt"

	"github.com/rawkit/rawkit/capture/filter"
)

// The README's filter snippet: a filter run over packets in user space,
// and the program for a socket.
func Example() {
	// An IPv4 UDP datagram to port 53, without a link layer.
	pkt := []byte{0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0, 53, 0, 8, 0, 0}
	flt, _ := filter.New("udp port 53", filter.LinkRaw)                 // flt.Match(data, ci.Length)
	prog, _ := filter.CompileRaw("tcp port 80", filter.LinkEthernet, 0) // []bpf.RawInstruction
	fmt.Println(flt.Match(pkt, len(pkt)), len(prog) > 0)
	// Output: true true
}
