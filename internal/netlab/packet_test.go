package netlab

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/rawkit/rawkit/capture"
)

var ipv4Header = []byte{0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}

func TestPacketNetwork(t *testing.T) {
	eth := append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00}, ipv4Header...)
	vlan := append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0, 5, 0x08, 0x00}, ipv4Header...)
	sll := append(make([]byte, 16), ipv4Header...)
	sll2 := append(make([]byte, 20), ipv4Header...)
	arp := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1}
	for _, tc := range []struct {
		name     string
		p        Packet
		net, ip4 []byte
	}{
		{"ethernet", Packet{LinkType: capture.LinkEthernet, Data: eth}, ipv4Header, ipv4Header},
		{"vlan", Packet{LinkType: capture.LinkEthernet, Data: vlan}, ipv4Header, ipv4Header},
		{"sll", Packet{LinkType: capture.LinkLinuxSLL, Data: sll}, ipv4Header, ipv4Header},
		{"sll2", Packet{LinkType: capture.LinkLinuxSLL2, Data: sll2}, ipv4Header, ipv4Header},
		{"short sll2", Packet{LinkType: capture.LinkLinuxSLL2, Data: sll2[:19]}, nil, nil},
		{"raw", Packet{LinkType: capture.LinkRaw, Data: ipv4Header}, ipv4Header, ipv4Header},
		{"arp", Packet{LinkType: capture.LinkEthernet, Data: arp}, arp[14:], nil},
		{"short ethernet", Packet{LinkType: capture.LinkEthernet, Data: eth[:13]}, nil, nil},
		{"short ip", Packet{LinkType: capture.LinkEthernet, Data: eth[:30]}, eth[14:30], nil},
		{"unknown link", Packet{LinkType: 10, Data: eth}, nil, nil},
	} {
		if got := tc.p.Network(); !bytes.Equal(got, tc.net) {
			t.Errorf("%s: Network() = % x, want % x", tc.name, got, tc.net)
		}
		if got := tc.p.IPv4(); !bytes.Equal(got, tc.ip4) {
			t.Errorf("%s: IPv4() = % x, want % x", tc.name, got, tc.ip4)
		}
	}
}

func ExamplePacket_Network() {
	frame := []byte{
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, // dst, src MAC
		0x08, 0x00, // EtherType IPv4
		0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	}
	p := Packet{LinkType: capture.LinkEthernet, Data: frame, Length: len(frame)}
	ip := p.IPv4()
	fmt.Printf("version %d, ttl %d, %d.%d.%d.%d > %d.%d.%d.%d\n", ip[0]>>4, ip[8],
		ip[12], ip[13], ip[14], ip[15], ip[16], ip[17], ip[18], ip[19])
	// Output: version 4, ttl 64, 10.0.0.1 > 10.0.0.2
}
