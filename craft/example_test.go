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

// The README's craft snippet: an echo request, a wrong UDP checksum on
// purpose, and the decoder's verdict on it.
func Example() {
	b := craft.NewBuilder()
	p := craft.NewICMPEcho(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), 7, 1, []byte("ping"))
	pkt, err := b.BuildICMPv4(p) // valid until the next build
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(craft.Summary(pkt, layers.LayerTypeIPv4))

	// A wrong UDP checksum on purpose; everything else is still computed.
	ip := &layers.IPv4{TTL: 64, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2)}
	udp := &layers.UDP{SrcPort: 1234, DstPort: 5678, Checksum: 0xbad1}
	pkt, err = b.Build(ip, &craft.Literal{Layer: udp, Keep: craft.UDPChecksum}, gopacket.Payload("hi"))
	if err != nil {
		fmt.Println(err)
		return
	}

	d := craft.NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(pkt); err == nil {
		fmt.Println(d.Checksum(layers.LayerTypeUDP).State) // bad
		fmt.Println(string(d.AppendSummary(nil)))          // IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 2
	}
	// Output:
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 12
	// bad
	// IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 2
}

func ExampleBuilder_BuildICMPv4() {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	p := craft.NewICMPEcho(src, dst, 7, 1, []byte("ping"))
	b := craft.NewBuilder()
	for seq := uint16(1); seq <= 2; seq++ {
		p.ICMP.Seq = seq // the packet is rebuilt in place, without allocating
		pkt, err := b.BuildICMPv4(p)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(hex.EncodeToString(pkt))
		fmt.Println(craft.Summary(pkt, layers.LayerTypeIPv4))
	}
	// Output:
	// 4500002000000000400166db0a0000010a000002080019270007000170696e67
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 12
	// 4500002000000000400166db0a0000010a000002080019260007000270696e67
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 2, length 12
}

func ExampleBuilder_Build() {
	ip := &layers.IPv4{TTL: 64, Id: 1, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2)}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, SYN: true, Window: 1024,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted},
		}}
	// Version, IHL, length, protocol, data offset and both checksums are
	// computed; the TCP checksum against the IPv4 layer before it.
	pkt, err := craft.NewBuilder().Build(ip, tcp)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(pkt))
	fmt.Println(craft.Summary(pkt, layers.LayerTypeIPv4))
	// Output:
	// 4500003000010000400666c50a0000010a0000029c400050000003e80000000070020400cba50000020405b404020000
	// IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 1024, options [mss 1460,sackOK,eol], length 0
}

func ExampleLiteral() {
	ip := &layers.IPv4{TTL: 64, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2)}
	udp := &layers.UDP{SrcPort: 1234, DstPort: 5678, Checksum: 0xbad1, Length: 100}
	// Send a wrong checksum and a lying length: the UDP layer's fields are
	// kept as set, the IPv4 header's are still computed.
	pkt, err := craft.NewBuilder().Build(ip,
		&craft.Literal{Layer: udp, Keep: craft.UDPChecksum | craft.UDPLength},
		gopacket.Payload("hi"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(pkt))
	d := craft.NewDecoder(layers.LayerTypeIPv4)
	fmt.Println(d.Decode(pkt))
	fmt.Println("IPv4 checksum", d.Checksum(layers.LayerTypeIPv4).State)
	fmt.Println(craft.Summary(pkt, layers.LayerTypeIPv4))
	// Output:
	// 4500001e00000000401166cd0a0000010a00000204d2162e0064bad16869
	// <nil>
	// IPv4 checksum good
	// IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, bad length 92 > 2
}

func ExampleDecoder() {
	pkt, _ := hex.DecodeString("4500002412344000400114a30a0000010a0000020800dead000700017261776b69742121")
	d := craft.NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(pkt); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Layers())
	fmt.Println(d.IPv4.SrcIP, d.IPv4.TTL, d.ICMPv4.TypeCode, d.ICMPv4.Id, d.ICMPv4.Seq, string(d.Payload))
	c := d.Checksum(layers.LayerTypeICMPv4)
	fmt.Printf("ICMP checksum %v: got %#04x, want %#04x\n", c.State, c.Got, c.Want)
	fmt.Println(string(d.AppendSummary(nil)))
	// Output:
	// [IPv4 ICMPv4 Payload]
	// 10.0.0.1 64 EchoRequest 7 1 rawkit!!
	// ICMP checksum bad: got 0xdead, want 0x8395
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16
}

func ExampleAppendSummary() {
	// An ICMP port unreachable quoting the UDP datagram it answers.
	pkt, _ := hex.DecodeString("4500003800000000400165c70a0000fe0a0000010303f7be00000000" +
		"4500001c0000000001119cc80a0000010a000909829a829b00080000")
	line := make([]byte, 0, 128) // reused for every packet in a capture loop
	line = craft.AppendSummary(line[:0], pkt, layers.LayerTypeIPv4)
	fmt.Println(string(line))
	// Output:
	// IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.9.9 udp port 33435 unreachable, length 36
}
