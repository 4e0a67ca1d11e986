package byteorder_test

import (
	"encoding/binary"
	"fmt"

	"github.com/rawkit/rawkit/internal/byteorder"
)

func ExampleHtons() {
	// ETH_P_ALL (0x0003) as socket(AF_PACKET, ..., htons(ETH_P_ALL)) takes
	// it: its bytes in memory are in network order whatever the host's.
	v := byteorder.Htons(0x0003)
	b := binary.NativeEndian.AppendUint16(nil, v)
	fmt.Printf("% x\n", b)
	// Output: 00 03
}
