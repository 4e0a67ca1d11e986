package netlab_test

import (
	"fmt"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/internal/netlab"
)

func ExampleAddMPLSExtension() {
	// 10.0.2.2's time exceeded to 10.0.1.1 quoting the first 28 bytes of
	// a UDP probe, as an IPv4 router sends it (checksums left out here:
	// the rewrite computes them anew).
	te := []byte{
		0x45, 0, 0, 56, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 2, 2, 10, 0, 1, 1, // IPv4
		11, 0, 0, 0, 0, 0, 0, 0, // time exceeded in transit
		0x45, 0, 0, 60, 0, 1, 0, 0, 1, 17, 0, 0, 10, 0, 1, 1, 10, 0, 9, 2, // the probe's header
		0x9c, 0x40, 0x82, 0x9a, 0, 40, 0, 1, // and its UDP header
	}
	out, err := netlab.AddMPLSExtension(nil, te, []xicmp.MPLSLabel{{Label: 100, S: true, TTL: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := xicmp.ParseMessage(1, out[20:])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, quote of %d words\n", len(out), out[20+5])
	fmt.Printf("extension: % x\n", out[20+8+128:])
	st := m.Body.(*xicmp.TimeExceeded).Extensions[0].(*xicmp.MPLSLabelStack)
	fmt.Printf("%+v\n", st.Labels)
	// Output:
	// 168 bytes, quote of 32 words
	// extension: 20 00 9d ef 00 08 01 01 00 06 41 01
	// [{Label:100 TC:0 S:true TTL:1}]
}
