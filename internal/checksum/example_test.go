package checksum_test

import (
	"fmt"

	"github.com/rawkit/rawkit/internal/checksum"
)

func ExampleChecksum() {
	// An ICMP echo request header (type 8, code 0, id 1, seq 1) with the
	// checksum field zero.
	msg := []byte{8, 0, 0, 0, 0, 1, 0, 1}
	fmt.Printf("%#04x\n", checksum.Checksum(msg))
	// Output: 0xf7fd
}
