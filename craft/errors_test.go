package craft

import (
	"net"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestBadInputNamesTheValue: every out-of-range field or impossible size
// is an error that names the offending value, and nothing is built.
func TestBadInputNamesTheValue(t *testing.T) {
	icmp := func() *layers.ICMPv4 { return &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)} }
	cases := []struct {
		name string
		ls   func() []gopacket.SerializableLayer
		want string
	}{
		{"packet over 65535", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), icmp(), gopacket.Payload(make([]byte, 65535-28+1))}
		}, "IPv4 packet of 65536 bytes is longer than 65535"},
		{"UDP over 65535", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), &layers.UDP{}, gopacket.Payload(make([]byte, 65535))}
		}, "UDP datagram of 65543 bytes"},
		{"TCP over 65535", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), &layers.TCP{}, gopacket.Payload(make([]byte, 65535))}
		}, "TCP segment of 65555 bytes"},
		{"kept IHL 16", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.IHL = 16
			return []gopacket.SerializableLayer{&Literal{Layer: ip, Keep: IPv4IHL}, icmp()}
		}, "IPv4 IHL 16 out of range 0-15"},
		{"kept version 16", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.Version = 16
			return []gopacket.SerializableLayer{&Literal{Layer: ip, Keep: IPv4Version}, icmp()}
		}, "IPv4 version 16 out of range 0-15"},
		{"flags 8", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.Flags = 8
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 flags 0x8 out of range 0-7"},
		{"fragment offset 8192", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.FragOffset = 8192
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 fragment offset 8192 out of range 0-8191"},
		{"IPv4 options 44 bytes", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.Options = []layers.IPv4Option{{OptionType: 7, OptionData: make([]byte, 20)}, {OptionType: 7, OptionData: make([]byte, 20)}}
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 options take 44 bytes, more than 40"},
		{"IPv4 option 39 data bytes", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.Options = []layers.IPv4Option{{OptionType: 68, OptionData: make([]byte, 39)}}
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 option 0 (type 68) has 39 data bytes, more than 38"},
		{"IPv4 NOP with data", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.Options = []layers.IPv4Option{{OptionType: 1, OptionData: []byte{1}}}
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 option 0 (type 1) is one byte and carries no data, got 1 bytes"},
		{"TCP options 44 bytes", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), &layers.TCP{Options: []layers.TCPOption{
				{OptionType: 254, OptionData: make([]byte, 20)}, {OptionType: 254, OptionData: make([]byte, 19)}}}}
		}, "TCP options take 44 bytes, more than 40"},
		{"kept TCP data offset 16", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), &Literal{Layer: &layers.TCP{DataOffset: 16}, Keep: TCPDataOffset}}
		}, "TCP data offset 16 out of range 0-15"},
		{"TCP EOL with data", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), &layers.TCP{Options: []layers.TCPOption{{OptionType: 0, OptionData: []byte{9}}}}}
		}, "TCP option 0 (kind 0) is one byte"},
		{"IPv6 source", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.SrcIP = net.ParseIP("2001:db8::1")
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 source address 2001:db8::1 is not an IPv4 address"},
		{"no destination", func() []gopacket.SerializableLayer {
			ip := testIPv4(0)
			ip.DstIP = nil
			return []gopacket.SerializableLayer{ip, icmp()}
		}, "IPv4 destination address not set"},
		{"UDP without IPv4", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{&layers.UDP{SrcPort: 1, DstPort: 2}}
		}, "UDP checksum needs an IPv4 or IPv6 layer before it"},
		{"nil layer", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), nil}
		}, "layer 1 is nil"},
		{"nil TCP", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{testIPv4(0), (*layers.TCP)(nil)}
		}, "nil TCP layer"},
		{"bad MAC", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: net.HardwareAddr{1}, DstMAC: layers.EthernetBroadcast}, testIPv4(0), icmp()}
		}, "invalid src MAC: 01"},
	}
	b := NewBuilder()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkt, err := b.Build(c.ls()...)
			if err == nil {
				t.Fatalf("built % x, want an error", pkt)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "craft: ") {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
			if pkt != nil {
				t.Errorf("returned %d bytes with the error", len(pkt))
			}
		})
	}
}

// TestKeptFieldsOutOfRangeForTemplates: the templates check as Build does.
func TestKeptFieldsOutOfRangeForTemplates(t *testing.T) {
	p := NewICMPEcho(srcAddr, dstAddr, 1, 1, make([]byte, 70000))
	if _, err := NewBuilder().BuildICMPv4(p); err == nil || !strings.Contains(err.Error(), "70028 bytes") {
		t.Errorf("err = %v, want the 70028-byte length named", err)
	}
}

func TestDecoderRejectsUnknownFirstLayer(t *testing.T) {
	d := NewDecoder(layers.LayerTypeIPv6)
	err := d.Decode([]byte{0x60, 0, 0, 0})
	if err == nil || !strings.Contains(err.Error(), "IPv6") {
		t.Errorf("err = %v, want one naming IPv6", err)
	}
	if len(d.Layers()) != 0 {
		t.Errorf("layers %v", d.Layers())
	}
}
