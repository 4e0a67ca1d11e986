package craft

import (
	"bytes"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// gopacketBytes serializes with gopacket alone, wiring the transport
// checksums by hand as its users must.
func gopacketBytes(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	var ip *layers.IPv4
	for _, l := range ls {
		switch v := l.(type) {
		case *layers.IPv4:
			ip = v
		case *layers.UDP:
			if err := v.SetNetworkLayerForChecksum(ip); err != nil {
				t.Fatal(err)
			}
		case *layers.TCP:
			if err := v.SetNetworkLayerForChecksum(ip); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testIPv4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, TOS: 0x28, Id: 0xbeef, Flags: layers.IPv4DontFragment, TTL: 17,
		Protocol: proto, SrcIP: net.IP{192, 0, 2, 1}, DstIP: net.IP{198, 51, 100, 7}}
}

// TestSameBytesAsGopacket: for packets gopacket serializes correctly, craft
// writes the same bytes. Each case builds fresh layers twice, since both
// serializers store computed fields back into them.
func TestSameBytesAsGopacket(t *testing.T) {
	mac1, mac2 := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 2}
	cases := map[string]func() []gopacket.SerializableLayer{
		"icmp echo": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(layers.IPProtocolICMPv4),
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 0x1234, Seq: 0xabcd},
				gopacket.Payload(bytes.Repeat([]byte{1, 2, 3}, 19))}
		},
		"icmp time exceeded, odd length": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(layers.IPProtocolICMPv4),
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(11, 0)},
				gopacket.Payload(bytes.Repeat([]byte{0x45}, 27))}
		},
		"udp": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(layers.IPProtocolUDP),
				&layers.UDP{SrcPort: 33434, DstPort: 33435}, gopacket.Payload("traceroute probe")}
		},
		"tcp syn with options": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(layers.IPProtocolTCP), &layers.TCP{
				SrcPort: 40000, DstPort: 443, Seq: 0xfffffff0, Ack: 3, SYN: true, ACK: true, ECE: true,
				Window: 65535, Urgent: 9, Options: []layers.TCPOption{
					{OptionType: 2, OptionData: []byte{0x05, 0xb4}}, {OptionType: 1},
					{OptionType: 3, OptionData: []byte{14}}, // 9 bytes: padded to 12
				}}}
		},
		"tcp with data": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(layers.IPProtocolTCP), &layers.TCP{
				SrcPort: 1, DstPort: 2, Seq: 5, Ack: 6, PSH: true, ACK: true, FIN: true, NS: true, Window: 7},
				gopacket.Payload("hello, world")}
		},
		"ipv4 options": func() []gopacket.SerializableLayer {
			ip := testIPv4(layers.IPProtocolICMPv4)
			ip.Options = []layers.IPv4Option{{OptionType: 7, OptionLength: 11, OptionData: []byte{4, 0, 0, 0, 0, 0, 0, 0, 0}}}
			return []gopacket.SerializableLayer{ip, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: 2}}
		},
		"ethernet ipv4 icmp": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{
				&layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: layers.EthernetTypeIPv4},
				testIPv4(layers.IPProtocolICMPv4),
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: 2}}
		},
		"ethernet arp": func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{
				&layers.Ethernet{SrcMAC: mac1, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP},
				&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, Operation: 1,
					SourceHwAddress: mac1, SourceProtAddress: []byte{10, 0, 0, 1},
					DstHwAddress: make([]byte, 6), DstProtAddress: []byte{10, 0, 0, 2}}}
		},
	}
	b := NewBuilder()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			want := gopacketBytes(t, mk()...)
			got, err := b.Build(mk()...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("craft:\n% x\ngopacket:\n% x", got, want)
			}
		})
	}
}

// TestTemplatesMatchBuild: the allocation-free BuildICMPv4, BuildUDP and
// BuildTCP write what the generic Build writes from the same layers.
func TestTemplatesMatchBuild(t *testing.T) {
	b1, b2 := NewBuilder(), NewBuilder()
	echo := NewICMPEcho(srcAddr, dstAddr, 9, 10, []byte("payload"))
	got, err := b1.BuildICMPv4(echo)
	if err != nil {
		t.Fatal(err)
	}
	want, err := b2.Build(&echo.IP, &echo.ICMP, echo.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("BuildICMPv4:\n% x\nBuild:\n% x", got, want)
	}
	syn := linuxSYN()
	if got, err = b1.BuildTCP(syn); err != nil {
		t.Fatal(err)
	}
	if want, err = b2.Build(&syn.IP, &syn.TCP); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("BuildTCP:\n% x\nBuild:\n% x", got, want)
	}
}

// TestReusedBufferHasNoStaleBytes: padding written into a reused buffer is
// zero, whatever the previous packet left there.
func TestReusedBufferHasNoStaleBytes(t *testing.T) {
	b := NewBuilder()
	big := NewICMPEcho(srcAddr, dstAddr, 1, 1, bytes.Repeat([]byte{0xff}, 200))
	if _, err := b.BuildICMPv4(big); err != nil {
		t.Fatal(err)
	}
	ip := testIPv4(layers.IPProtocolICMPv4)
	ip.Options = []layers.IPv4Option{{OptionType: 1}} // one NOP, three bytes of padding
	tcp := &layers.TCP{SrcPort: 1, DstPort: 2, Options: []layers.TCPOption{{OptionType: 3, OptionData: []byte{1}}}}
	pkt, err := b.Build(ip, tcp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pkt[20:24], []byte{1, 0, 0, 0}) {
		t.Errorf("IPv4 options % x, want 01 00 00 00", pkt[20:24])
	}
	if !bytes.Equal(pkt[24+20:24+24], []byte{3, 3, 1, 0}) {
		t.Errorf("TCP options % x, want 03 03 01 00", pkt[44:48])
	}
}
