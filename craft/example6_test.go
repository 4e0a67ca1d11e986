package craft_test

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

func ExampleBuilder_BuildICMPv6() {
	src, dst := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	p := craft.NewICMPv6Echo(src, dst, 7, 1, []byte("ping"))
	p.IP.HopLimit, p.IP.FlowLabel = 3, 0x12345
	pkt, err := craft.NewBuilder().BuildICMPv6(p) // the checksum covers the IPv6 pseudo-header (scapy builds the same bytes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(pkt))
	fmt.Println(craft.Summary(pkt, layers.LayerTypeIPv6))
	// Output:
	// 60012345000c3a0320010db800000000000000000000000120010db80000000000000000000000028000456b0007000170696e67
	// IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 1, length 12
}

func ExampleDecoder_IPv6Extensions() {
	ip := &layers.IPv6{HopLimit: 64, SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}
	// Next headers and lengths are computed; the UDP checksum uses the
	// routing header's final address.
	pkt, err := craft.NewBuilder().Build(ip, &craft.IPv6HopByHop{},
		&craft.IPv6Routing{SegmentsLeft: 1, Addresses: []net.IP{net.ParseIP("2001:db8::99")}},
		&layers.UDP{SrcPort: 1000, DstPort: 53}, gopacket.Payload("q"))
	if err != nil {
		fmt.Println(err)
		return
	}
	d := craft.NewDecoder(layers.LayerTypeIPv6)
	if err := d.Decode(pkt); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Layers())
	for _, e := range d.IPv6Extensions() {
		fmt.Println(e.Type, len(e.Contents), "bytes, next", e.NextHeader)
	}
	fmt.Println("UDP checksum", d.Checksum(layers.LayerTypeUDP).State)
	// Output:
	// [IPv6 IPv6HopByHop IPv6Routing UDP Payload]
	// IPv6HopByHop 8 bytes, next IPv6Routing
	// IPv6Routing 24 bytes, next UDP
	// UDP checksum good
}
