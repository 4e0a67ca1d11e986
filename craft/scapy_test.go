package craft

import (
	"encoding/hex"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestScapyCompatibility: the rule "unset fields are computed, set fields
// are kept" gives the bytes scapy 2.5.0 builds, lying lengths and IHLs
// included. Each case carries the scapy expression whose raw() bytes were
// recorded; scapy's defaults (id 1, TTL 64, TCP window 8192 and SYN, UDP
// ports 53) are spelled out in the layers, as a spec parser fills them in.
func TestScapyCompatibility(t *testing.T) {
	ip := func() *layers.IPv4 {
		return &layers.IPv4{Id: 1, TTL: 64, SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}
	}
	lit := func(l gopacket.SerializableLayer, k Field) gopacket.SerializableLayer {
		return &Literal{Layer: l, Keep: k}
	}
	echo := func() *layers.ICMPv4 { return &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)} }
	cases := []struct {
		scapy string
		ls    func() []gopacket.SerializableLayer
		hex   string
	}{
		{"IP()/ICMP(id=7, seq=1)/Raw(b'hello')", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip(), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 7, Seq: 1}, gopacket.Payload("hello")}
		}, "4500002100010000400166d90a0000010a0000020800b4250007000168656c6c6f"},
		{"IP(ihl=7)/ICMP()", func() []gopacket.SerializableLayer {
			i := ip()
			i.IHL = 7
			return []gopacket.SerializableLayer{lit(i, IPv4IHL), echo()}
		}, "4700001c00010000400164de0a0000010a0000020800f7ff00000000"},
		{"IP(len=1000)/UDP(sport=1, dport=2)/Raw(b'abc')", func() []gopacket.SerializableLayer {
			i := ip()
			i.Length = 1000
			return []gopacket.SerializableLayer{lit(i, IPv4Length), &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("abc")}
		}, "450003e800010000401163020a0000010a00000200010002000b23a7616263"},
		{"IP(len=30)/UDP(sport=1, dport=2)/Raw(b'abcdef')", func() []gopacket.SerializableLayer {
			i := ip()
			i.Length = 30
			return []gopacket.SerializableLayer{lit(i, IPv4Length), &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("abcdef")}
		}, "4500001e00010000401166cc0a0000010a00000200010002000ec1a3616263646566"},
		{"IP(ihl=6, len=40)/UDP(sport=1, dport=2)/Raw(b'abcdef')", func() []gopacket.SerializableLayer {
			i := ip()
			i.IHL, i.Length = 6, 40
			return []gopacket.SerializableLayer{lit(i, IPv4IHL|IPv4Length), &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("abcdef")}
		}, "4600002800010000401165c20a0000010a00000200010002000ec19d616263646566"},
		{"IP(options=[IPOption_RR()])/ICMP()", func() []gopacket.SerializableLayer {
			i := ip()
			i.Options = []layers.IPv4Option{{OptionType: 7, OptionData: []byte{4}}}
			return []gopacket.SerializableLayer{i, echo()}
		}, "460000200001000040015ad70a0000010a000002070304000800f7ff00000000"},
		{"IP(options=[IPOption_NOP()])/ICMP()", func() []gopacket.SerializableLayer {
			i := ip()
			i.Options = []layers.IPv4Option{{OptionType: 1}}
			return []gopacket.SerializableLayer{i, echo()}
		}, "4600002000010000400164da0a0000010a000002010000000800f7ff00000000"},
		{"IP()/TCP(sport=40000, dport=80, seq=1000, window=1024, options=[('MSS',1460),('SAckOK',b''),('WScale',7)])", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip(), &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, Window: 1024, SYN: true,
				Options: []layers.TCPOption{{OptionType: 2, OptionData: []byte{5, 0xb4}}, {OptionType: 4}, {OptionType: 3, OptionData: []byte{7}}}}}
		}, "4500003400010000400666c10a0000010a0000029c400050000003e80000000080020400b19e0000020405b40402030307000000"},
		{"IP()/TCP(sport=1, dport=2, dataofs=10, options=[('MSS',1460)])", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip(), lit(&layers.TCP{SrcPort: 1, DstPort: 2, DataOffset: 10, Window: 8192, SYN: true,
				Options: []layers.TCPOption{{OptionType: 2, OptionData: []byte{5, 0xb4}}}}, TCPDataOffset)}
		}, "4500002c00010000400666c90a0000010a000002000100020000000000000000a002200024210000020405b4"},
		{"IP()/UDP(sport=1, dport=2, len=4)/Raw(b'xyz')", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip(), lit(&layers.UDP{SrcPort: 1, DstPort: 2, Length: 4}, UDPLength), gopacket.Payload("xyz")}
		}, "4500001f00010000401166cb0a0000010a000002000100020004f95f78797a"},
		{"IP(chksum=0xdead)/ICMP()", func() []gopacket.SerializableLayer {
			i := ip()
			i.Checksum = 0xdead
			return []gopacket.SerializableLayer{lit(i, IPv4Checksum), echo()}
		}, "4500001c000100004001dead0a0000010a0000020800f7ff00000000"},
		{"IP()/IP(src='10.1.0.1', dst='10.1.0.2')/ICMP()", func() []gopacket.SerializableLayer {
			inner := ip()
			inner.SrcIP, inner.DstIP = net.IP{10, 1, 0, 1}, net.IP{10, 1, 0, 2}
			return []gopacket.SerializableLayer{ip(), inner, echo()}
		}, "4500003000010000400466c70a0000010a0000024500001c00010000400166dc0a0100010a0100020800f7ff00000000"},
		{"IP(frag=185, flags='MF')/ICMP()", func() []gopacket.SerializableLayer {
			i := ip()
			i.FragOffset, i.Flags = 185, layers.IPv4MoreFragments
			return []gopacket.SerializableLayer{i, echo()}
		}, "4500001c000120b9400146250a0000010a0000020800f7ff00000000"},
		{"IP()/Raw(b'xx')", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip(), gopacket.Payload("xx")}
		}, "4500001600010000400066e50a0000010a0000027878"},
	}
	b := NewBuilder()
	for _, c := range cases {
		got, err := b.Build(c.ls()...)
		if err != nil {
			t.Errorf("%s: %v", c.scapy, err)
			continue
		}
		if hex.EncodeToString(got) != c.hex {
			t.Errorf("%s:\n craft %x\n scapy %s", c.scapy, got, c.hex)
		}
	}
}
