package craft

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

var (
	srcAddr = netip.MustParseAddr("10.0.0.1")
	dstAddr = netip.MustParseAddr("10.0.0.2")
)

// wantChecksumsGood fails unless every checksum of the decoded layers
// verifies.
func wantChecksumsGood(t *testing.T, d *Decoder, ts ...gopacket.LayerType) {
	t.Helper()
	for _, typ := range ts {
		if c := d.Checksum(typ); c.State != ChecksumGood {
			t.Errorf("%v checksum: %v (got %#04x, want %#04x)", typ, c.State, c.Got, c.Want)
		}
	}
}

func wantLayers(t *testing.T, d *Decoder, want ...gopacket.LayerType) {
	t.Helper()
	got := d.Layers()
	if len(got) != len(want) {
		t.Fatalf("layers = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("layers = %v, want %v", got, want)
		}
	}
}

// wantIPv4 compares every header field of two IPv4 layers. Padding after
// the options decodes as one end-of-list option.
func wantIPv4(t *testing.T, got, want *layers.IPv4) {
	t.Helper()
	type f struct {
		V, IHL, TOS uint8
		Len, ID     uint16
		Flags       layers.IPv4Flag
		Frag        uint16
		TTL         uint8
		Proto       layers.IPProtocol
		Sum         uint16
		Src, Dst    string
	}
	g := f{got.Version, got.IHL, got.TOS, got.Length, got.Id, got.Flags, got.FragOffset, got.TTL,
		got.Protocol, got.Checksum, got.SrcIP.String(), got.DstIP.String()}
	w := f{want.Version, want.IHL, want.TOS, want.Length, want.Id, want.Flags, want.FragOffset, want.TTL,
		want.Protocol, want.Checksum, want.SrcIP.String(), want.DstIP.String()}
	if g != w {
		t.Errorf("IPv4 decoded\n %+v\nwant\n %+v", g, w)
	}
	if len(got.Options) < len(want.Options) || len(got.Options) > len(want.Options)+1 {
		t.Fatalf("IPv4 options %v, want %v", got.Options, want.Options)
	}
	for i, g0 := range got.Options {
		if i == len(want.Options) {
			if g0.OptionType != 0 {
				t.Errorf("IPv4 option %d = %+v after the options built, want end of list", i, g0)
			}
			break
		}
		w0 := want.Options[i]
		if g0.OptionType != w0.OptionType || g0.OptionLength != w0.OptionLength || !bytes.Equal(g0.OptionData, w0.OptionData) {
			t.Errorf("IPv4 option %d = %+v, want %+v", i, g0, w0)
		}
	}
}

func TestRoundTripICMPEcho(t *testing.T) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 1, bytes.Repeat([]byte{0xab}, 56))
	p.IP.TOS = 0x10
	p.IP.Id = 0x1234
	p.IP.Flags = layers.IPv4DontFragment
	p.IP.TTL = 3
	b, err := NewBuilder().BuildICMPv4(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 84 {
		t.Fatalf("length %d, want 84", len(b))
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(b); err != nil {
		t.Fatal(err)
	}
	wantLayers(t, d, layers.LayerTypeIPv4, layers.LayerTypeICMPv4, gopacket.LayerTypePayload)
	wantIPv4(t, &d.IPv4, &p.IP)
	if d.ICMPv4.TypeCode != p.ICMP.TypeCode || d.ICMPv4.Id != 7 || d.ICMPv4.Seq != 1 || d.ICMPv4.Checksum != p.ICMP.Checksum {
		t.Errorf("ICMP decoded %+v, built %+v", d.ICMPv4, p.ICMP)
	}
	if !bytes.Equal(d.Payload, p.Payload) {
		t.Errorf("payload % x, want % x", d.Payload, p.Payload)
	}
	wantChecksumsGood(t, d, layers.LayerTypeIPv4, layers.LayerTypeICMPv4)
	const want = "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64"
	if got := string(d.AppendSummary(nil)); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestRoundTripUDP(t *testing.T) {
	p := NewUDP(netip.AddrPortFrom(srcAddr, 1234), netip.AddrPortFrom(dstAddr, 5678), []byte("0123456789"))
	p.IP.TTL = 200
	p.IP.Id = 99
	p.IP.Flags = layers.IPv4DontFragment
	b, err := NewBuilder().BuildUDP(p)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(b); err != nil {
		t.Fatal(err)
	}
	wantLayers(t, d, layers.LayerTypeIPv4, layers.LayerTypeUDP, gopacket.LayerTypePayload)
	wantIPv4(t, &d.IPv4, &p.IP)
	if d.UDP.SrcPort != 1234 || d.UDP.DstPort != 5678 || d.UDP.Length != 18 || d.UDP.Checksum != p.UDP.Checksum {
		t.Errorf("UDP decoded %+v", d.UDP)
	}
	if string(d.Payload) != "0123456789" {
		t.Errorf("payload %q", d.Payload)
	}
	wantChecksumsGood(t, d, layers.LayerTypeIPv4, layers.LayerTypeUDP)
	const want = "IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 10"
	if got := Summary(b, layers.LayerTypeIPv4); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestRoundTripTCP(t *testing.T) {
	p := NewTCPSYN(netip.AddrPortFrom(srcAddr, 40000), netip.AddrPortFrom(dstAddr, 80), 1000)
	p.TCP.Window = 1024
	p.TCP.Ack = 77
	p.TCP.ECE, p.TCP.CWR, p.TCP.NS, p.TCP.URG = true, true, true, true
	p.TCP.Urgent = 5
	p.TCP.Options = []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{0x05, 0xb4}},
		{OptionType: layers.TCPOptionKindSACKPermitted},
		{OptionType: layers.TCPOptionKindTimestamps, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 0}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{7}},
	}
	p.Payload = []byte("GET /")
	b, err := NewBuilder().BuildTCP(p)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(b); err != nil {
		t.Fatal(err)
	}
	wantLayers(t, d, layers.LayerTypeIPv4, layers.LayerTypeTCP, gopacket.LayerTypePayload)
	wantIPv4(t, &d.IPv4, &p.IP)
	g := d.TCP
	if g.SrcPort != 40000 || g.DstPort != 80 || g.Seq != 1000 || g.Ack != 77 || g.DataOffset != 10 ||
		!g.SYN || g.ACK || g.FIN || g.RST || g.PSH || !g.URG || !g.ECE || !g.CWR || !g.NS ||
		g.Window != 1024 || g.Urgent != 5 || g.Checksum != p.TCP.Checksum {
		t.Errorf("TCP decoded %+v", g)
	}
	if len(g.Options) != len(p.TCP.Options) {
		t.Fatalf("options %v, want %v", g.Options, p.TCP.Options)
	}
	for i, o := range g.Options {
		w := p.TCP.Options[i]
		if o.OptionType != w.OptionType || o.OptionLength != w.OptionLength || !bytes.Equal(o.OptionData, w.OptionData) {
			t.Errorf("option %d = %v, want %v", i, o, w)
		}
	}
	if string(d.Payload) != "GET /" {
		t.Errorf("payload %q", d.Payload)
	}
	wantChecksumsGood(t, d, layers.LayerTypeIPv4, layers.LayerTypeTCP)
	const want = "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [SUEW], seq 1000:1005, win 1024, urg 5, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 5"
	if got := Summary(b, layers.LayerTypeIPv4); got != want {
		t.Errorf("summary\n %q\nwant\n %q", got, want)
	}
}

// TestBuildWiresNetworkLayer: the generic Build finds the IPv4 layer for
// the transport checksum and the protocol number by itself.
func TestBuildWiresNetworkLayer(t *testing.T) {
	ip := &layers.IPv4{TTL: 64, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2)}
	udp := &layers.UDP{SrcPort: 1, DstPort: 2}
	pl := gopacket.Payload("x")
	b, err := NewBuilder().Build(ip, udp, pl)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(b); err != nil {
		t.Fatal(err)
	}
	if d.IPv4.Protocol != layers.IPProtocolUDP || d.IPv4.Version != 4 || d.IPv4.IHL != 5 {
		t.Errorf("IPv4 %+v", d.IPv4)
	}
	wantChecksumsGood(t, d, layers.LayerTypeIPv4, layers.LayerTypeUDP)
}

// linuxSYN is a SYN with the options Linux sends.
func linuxSYN() *TCPPacket {
	p := NewTCPSYN(netip.AddrPortFrom(srcAddr, 40000), netip.AddrPortFrom(dstAddr, 80), 1000)
	p.TCP.Window = 1024
	p.TCP.Options = []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{0x05, 0xb4}},
		{OptionType: layers.TCPOptionKindSACKPermitted},
		{OptionType: layers.TCPOptionKindTimestamps, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 0}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{7}},
	}
	return p
}

// TestDecodeICMPAlone: what a ping socket reads, the ICMP message without
// an IP header, decodes and verifies too.
func TestDecodeICMPAlone(t *testing.T) {
	pkt, err := NewBuilder().Build(&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(0, 0), Id: 3, Seq: 4}, gopacket.Payload("data"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeICMPv4)
	if err := d.Decode(pkt); err != nil {
		t.Fatal(err)
	}
	wantLayers(t, d, layers.LayerTypeICMPv4, gopacket.LayerTypePayload)
	wantChecksumsGood(t, d, layers.LayerTypeICMPv4)
	pkt[3]++
	_ = d.Decode(pkt)
	if c := d.Checksum(layers.LayerTypeICMPv4); c.State != ChecksumBad {
		t.Errorf("corrupted checksum judged %v", c.State)
	}
	const want = "ICMP echo reply, id 3, seq 4, length 12"
	if got := string(d.AppendSummary(nil)); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestDecodeEthernetVLAN: a tagged frame decodes through the tag, and the
// summary is tcpdump's (which shows no tag without -e).
func TestDecodeEthernetVLAN(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	p := NewICMPEcho(srcAddr, dstAddr, 7, 1, []byte("tagged"))
	pkt, err := NewBuilder().Build(&layers.Ethernet{SrcMAC: mac, DstMAC: mac},
		&layers.Dot1Q{VLANIdentifier: 10, Type: layers.EthernetTypeIPv4}, &p.IP, &p.ICMP, &p.Payload)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeEthernet)
	if err := d.Decode(pkt); err != nil {
		t.Fatal(err)
	}
	wantLayers(t, d, layers.LayerTypeEthernet, layers.LayerTypeDot1Q, layers.LayerTypeIPv4, layers.LayerTypeICMPv4, gopacket.LayerTypePayload)
	if d.Dot1Q.VLANIdentifier != 10 {
		t.Errorf("VLAN %d, want 10", d.Dot1Q.VLANIdentifier)
	}
	wantChecksumsGood(t, d, layers.LayerTypeIPv4, layers.LayerTypeICMPv4)
	const want = "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 14"
	if got := string(d.AppendSummary(nil)); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}
