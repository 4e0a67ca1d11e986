package craft

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The expected bytes below were built by scapy 2.5.0 (Debian's
// python3-scapy) from the expression in each case's comment, with
// S = "2001:db8::1" and D = "2001:db8::2".

var (
	src6 = netip.MustParseAddr("2001:db8::1")
	dst6 = netip.MustParseAddr("2001:db8::2")
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ip6(src, dst string) *layers.IPv6 {
	return &layers.IPv6{HopLimit: 64, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

func TestBuildIPv6ScapyBytes(t *testing.T) {
	seq := make([]byte, 56)
	for i := range seq {
		seq[i] = byte(i)
	}
	cases := []struct {
		name string
		ls   func() []gopacket.SerializableLayer
		want string
	}{
		// IPv6(src=S,dst=D,hlim=17,tc=0x28,fl=0x12345)/ICMPv6EchoRequest(id=0x1234,seq=0xabcd,data=bytes(range(56)))
		{"echo", func() []gopacket.SerializableLayer {
			ip := ip6("2001:db8::1", "2001:db8::2")
			ip.HopLimit, ip.TrafficClass, ip.FlowLabel = 17, 0x28, 0x12345
			return []gopacket.SerializableLayer{ip,
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)},
				&layers.ICMPv6Echo{Identifier: 0x1234, SeqNumber: 0xabcd}, gopacket.Payload(seq)}
		}, "6281234500403a1120010db800000000000000000000000120010db800000000000000000000000280006efb1234abcd000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"},
		// IPv6(src=S,dst=D)/UDP(sport=40000,dport=53)/Raw(b"hello")
		{"udp", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip6("2001:db8::1", "2001:db8::2"),
				&layers.UDP{SrcPort: 40000, DstPort: 53}, gopacket.Payload("hello")}
		}, "60000000000d114020010db800000000000000000000000120010db80000000000000000000000029c400035000dc41768656c6c6f"},
		// IPv6(src=S,dst=D)/TCP(sport=40000,dport=80,flags="S",seq=1000,window=1024,options=[("MSS",1440)])
		{"tcp", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip6("2001:db8::1", "2001:db8::2"),
				&layers.TCP{SrcPort: 40000, DstPort: 80, SYN: true, Seq: 1000, Window: 1024,
					Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{0x05, 0xa0}}}}}
		}, "600000000018064020010db800000000000000000000000120010db80000000000000000000000029c400050000003e80000000060020400984d0000020405a0"},
		// IPv6(src=S,dst=D)/IPv6ExtHdrHopByHop()/IPv6ExtHdrRouting(addresses=["2001:db8::99"])/
		//   IPv6ExtHdrFragment(offset=3,m=1,id=7)/IPv6ExtHdrDestOpt()/UDP(sport=1,dport=2)
		// The UDP checksum covers the routing header's final address.
		{"extension headers", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip6("2001:db8::1", "2001:db8::2"),
				&IPv6HopByHop{}, &IPv6Routing{SegmentsLeft: 1, Addresses: []net.IP{net.ParseIP("2001:db8::99")}},
				&IPv6Fragment{Offset: 3, MoreFragments: true, Identification: 7}, &IPv6Destination{},
				&layers.UDP{SrcPort: 1, DstPort: 2}}
		}, "600000000038004020010db800000000000000000000000120010db80000000000000000000000022b000104000000002c0200010000000020010db80000000000000000000000993c000019000000071100010400000000000100020008a3cf"},
		// IPv6(src=S,dst=D)/ICMPv6PacketTooBig(mtu=1280)/IPv6(src=D,dst="2001:db8::3")/ICMPv6EchoRequest()
		{"packet too big quoting an echo", func() []gopacket.SerializableLayer {
			return []gopacket.SerializableLayer{ip6("2001:db8::1", "2001:db8::2"),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(2, 0)}, gopacket.Payload{0, 0, 5, 0},
				ip6("2001:db8::2", "2001:db8::3"),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}, &layers.ICMPv6Echo{}}
		}, "6000000000383a4020010db800000000000000000000000120010db800000000000000000000000202000312000005006000000000083a4020010db800000000000000000000000220010db80000000000000000000000038000244600000000"},
	}
	b := NewBuilder()
	for _, c := range cases {
		got, err := b.Build(c.ls()...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if want := mustHex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, got, want)
		}
	}
}

// TestBuildIPv6Packets: the allocation-free builders write the same bytes
// as Build over the same layers.
func TestBuildIPv6Packets(t *testing.T) {
	b := NewBuilder()
	e := NewICMPv6Echo(src6, dst6, 0x1234, 0xabcd, []byte("ping"))
	got, err := b.BuildICMPv6(e)
	if err != nil {
		t.Fatal(err)
	}
	got = bytes.Clone(got)
	want, err := b.Build(&e.IP, &e.ICMP, &e.Echo, e.Payload)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("BuildICMPv6 %x, Build %x, %v", got, want, err)
	}
	u := NewUDPv6(netip.AddrPortFrom(src6, 40000), netip.AddrPortFrom(dst6, 53), []byte("hello"))
	got, err = b.BuildUDPv6(u)
	if want := mustHex(t, "60000000000d114020010db800000000000000000000000120010db80000000000000000000000029c400035000dc41768656c6c6f"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("BuildUDPv6 %x, %v", got, err)
	}
	s := NewTCPv6SYN(netip.AddrPortFrom(src6, 40000), netip.AddrPortFrom(dst6, 80), 1000)
	if _, err := b.BuildTCPv6(s); err != nil {
		t.Fatal(err)
	}
	if s.TCP.Checksum == 0 || s.IP.Length != 20 || s.IP.NextHeader != layers.IPProtocolTCP {
		t.Fatalf("TCP over IPv6: checksum %#x, length %d, next header %v", s.TCP.Checksum, s.IP.Length, s.IP.NextHeader)
	}
}

// TestBuildIPv6Literal: kept fields go out as set, the rest is computed.
func TestBuildIPv6Literal(t *testing.T) {
	b := NewBuilder()
	e := NewICMPv6Echo(src6, dst6, 1, 1, nil)
	e.Keep = ICMPv6Checksum | IPv6Length | IPv6NextHeader | IPv6Version
	e.ICMP.Checksum, e.IP.Length, e.IP.NextHeader, e.IP.Version = 0xdead, 1000, 17, 4
	got, err := b.BuildICMPv6(e)
	if err != nil {
		t.Fatal(err)
	}
	if got[0]>>4 != 4 || got[4] != 0x03 || got[5] != 0xe8 || got[6] != 17 || got[42] != 0xde || got[43] != 0xad {
		t.Fatalf("kept fields not written as set: %x", got)
	}
	for _, bad := range []func(*ICMPv6Packet){
		func(p *ICMPv6Packet) { p.IP.FlowLabel = 1 << 20 },
		func(p *ICMPv6Packet) { p.IP.SrcIP = net.IP{192, 0, 2, 1} },
		func(p *ICMPv6Packet) { p.IP.DstIP = nil },
	} {
		p := NewICMPv6Echo(src6, dst6, 1, 1, nil)
		bad(p)
		if _, err := b.BuildICMPv6(p); err == nil {
			t.Errorf("built %+v without an error", p.IP)
		}
	}
	if _, err := b.Build(&layers.ICMPv6{}, &layers.ICMPv6Echo{}); err == nil {
		t.Error("ICMPv6 without an IPv6 header built a checksum")
	}
}
