package craft

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// ipv6TestPackets are the packets the IPv6 decoder tests use, each with the
// layers it decodes to and its tcpdump summary.
func ipv6TestPackets(t testing.TB) []struct {
	name   string
	pkt    []byte
	layers string
	sum    string
} {
	b := NewBuilder()
	build := func(ls ...gopacket.SerializableLayer) []byte {
		p, err := b.Build(ls...)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(p)
	}
	final := net.ParseIP("2001:db8::99")
	return []struct {
		name   string
		pkt    []byte
		layers string
		sum    string
	}{
		{"echo", build(ip6("2001:db8::1", "2001:db8::2"), &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)},
			&layers.ICMPv6Echo{Identifier: 7, SeqNumber: 9}, gopacket.Payload("abcdefgh")),
			"[IPv6 ICMPv6 ICMPv6Echo Payload]", "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 9, length 16"},
		{"udp", build(ip6("2001:db8::1", "2001:db8::2"), &layers.UDP{SrcPort: 40000, DstPort: 33434}, gopacket.Payload("x")),
			"[IPv6 UDP Payload]", "IP6 2001:db8::1.40000 > 2001:db8::2.33434: UDP, length 1"},
		{"tcp", build(ip6("2001:db8::1", "2001:db8::2"), &layers.TCP{SrcPort: 40000, DstPort: 80, SYN: true, Seq: 1, Window: 1024}),
			"[IPv6 TCP]", "IP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1, win 1024, length 0"},
		{"extension headers and a routed UDP checksum", build(ip6("2001:db8::1", "2001:db8::2"), &IPv6HopByHop{},
			&IPv6Routing{SegmentsLeft: 1, Addresses: []net.IP{final}}, &IPv6Destination{},
			&layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("hi")),
			"[IPv6 IPv6HopByHop IPv6Routing IPv6Destination UDP Payload]", ""},
		{"first fragment", build(ip6("2001:db8::1", "2001:db8::2"), &IPv6Fragment{MoreFragments: true, Identification: 5},
			&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}, &layers.ICMPv6Echo{}),
			"[IPv6 IPv6Fragment ICMPv6 ICMPv6Echo]", ""},
		{"later fragment", build(ip6("2001:db8::1", "2001:db8::2"), &IPv6Fragment{Offset: 10, Identification: 5}, gopacket.Payload("tail")),
			"[IPv6 IPv6Fragment]", ""},
		{"packet too big", build(ip6("2001:db8::1", "2001:db8::2"), &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(2, 0)},
			gopacket.Payload{0, 0, 5, 0}, ip6("2001:db8::2", "2001:db8::3"), &layers.UDP{SrcPort: 1, DstPort: 2}),
			"[IPv6 ICMPv6 Payload]", "IP6 2001:db8::1 > 2001:db8::2: ICMP6, packet too big, mtu 1280, length 56"},
	}
}

func TestDecodeIPv6(t *testing.T) {
	d := NewDecoder(layers.LayerTypeIPv6)
	for _, c := range ipv6TestPackets(t) {
		if err := d.Decode(c.pkt); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := fmt.Sprint(d.Layers()); got != c.layers {
			t.Errorf("%s: layers %s, want %s", c.name, got, c.layers)
		}
		if d.IPv6.Version != 6 || !d.IPv6.SrcIP.Equal(net.ParseIP("2001:db8::1")) || int(d.IPv6.Length) != len(c.pkt)-40 {
			t.Errorf("%s: header %+v", c.name, d.IPv6)
		}
		frag := strings.Contains(c.name, "fragment")
		for _, typ := range []gopacket.LayerType{layers.LayerTypeICMPv6, layers.LayerTypeUDP, layers.LayerTypeTCP} {
			if !d.Has(typ) {
				continue
			}
			want := ChecksumGood
			if frag {
				want = ChecksumIncomplete
			}
			if s := d.Checksum(typ); s.State != want {
				t.Errorf("%s: %v checksum %v, want %v", c.name, typ, s.State, want)
			}
		}
		if c.sum != "" {
			if got := string(d.AppendSummary(nil)); got != c.sum {
				t.Errorf("%s: summary\n got %q\nwant %q", c.name, got, c.sum)
			}
		}
	}
	if d.Decode(ipv6TestPackets(t)[1].pkt); d.UDP.DstPort != 33434 || string(d.Payload) != "x" {
		t.Errorf("UDP fields: %+v payload %q", d.UDP, d.Payload)
	}
	if d.Decode(ipv6TestPackets(t)[0].pkt); d.ICMPv6Echo.Identifier != 7 || d.ICMPv6Echo.SeqNumber != 9 || string(d.Payload) != "abcdefgh" {
		t.Errorf("echo fields: %+v payload %q", d.ICMPv6Echo, d.Payload)
	}
	if d.Decode(ipv6TestPackets(t)[5].pkt); len(d.IPv6Extensions()) != 1 {
		t.Errorf("extensions %v", d.IPv6Extensions())
	} else if off, more, ok := d.IPv6Fragment(); off != 10 || more || !ok {
		t.Errorf("fragment %d %v %v", off, more, ok)
	}
}

// TestDecodeIPv6BadChecksums: a flipped bit anywhere a checksum covers, or
// a routing header's final address ignored, is detected.
func TestDecodeIPv6BadChecksums(t *testing.T) {
	d := NewDecoder(layers.LayerTypeIPv6)
	for _, c := range ipv6TestPackets(t)[:4] {
		for _, off := range []int{9, 30, len(c.pkt) - 1} { // source, destination, last byte
			if off == 30 && strings.Contains(c.name, "routed") {
				continue // the routing header's last address stands in for it
			}
			p := bytes.Clone(c.pkt)
			p[off] ^= 0x10
			if err := d.Decode(p); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if d.ChecksumsValid() {
				t.Errorf("%s: byte %d flipped, checksums still valid", c.name, off)
			}
		}
	}
	// Built with the pseudo-header's destination the IPv6 header's rather
	// than the routing header's last address: bad.
	b := NewBuilder()
	rt := &IPv6Routing{SegmentsLeft: 1, Addresses: []net.IP{net.ParseIP("2001:db8::99")}}
	p, err := b.Build(ip6("2001:db8::1", "2001:db8::2"), &Literal{Layer: rt}, &layers.UDP{SrcPort: 1, DstPort: 2})
	if err != nil {
		t.Fatal(err)
	}
	p[43] = 0 // segments left 0: the final destination is the header's
	if d.Decode(p); d.Checksum(layers.LayerTypeUDP).State != ChecksumBad {
		t.Errorf("UDP checksum over the wrong destination judged %v", d.Checksum(layers.LayerTypeUDP).State)
	}
}

func TestDecodeIPv6Ethernet(t *testing.T) {
	b := NewBuilder()
	e := NewICMPv6Echo(src6, dst6, 1, 2, []byte("hi"))
	p, err := b.Build(&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}},
		&e.IP, &e.ICMP, &e.Echo, e.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if p[12] != 0x86 || p[13] != 0xdd {
		t.Fatalf("EtherType %x", p[12:14])
	}
	d := NewDecoder(layers.LayerTypeEthernet)
	if err := d.Decode(p); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(d.Layers()); got != "[Ethernet IPv6 ICMPv6 ICMPv6Echo Payload]" || !d.Checksum(layers.LayerTypeICMPv6).Valid() {
		t.Errorf("layers %s, checksum %v", got, d.Checksum(layers.LayerTypeICMPv6))
	}
	// A lone ICMPv6 message, as a ping socket reads it.
	d = NewDecoder(layers.LayerTypeICMPv6)
	if err := d.Decode(p[14+40:]); err != nil || d.ICMPv6Echo.SeqNumber != 2 || d.Checksum(layers.LayerTypeICMPv6).State != ChecksumIncomplete {
		t.Errorf("lone ICMPv6: %v %+v %v", err, d.ICMPv6Echo, d.Checksum(layers.LayerTypeICMPv6))
	}
}

func TestDecodeIPv6Truncated(t *testing.T) {
	d := NewDecoder(layers.LayerTypeIPv6)
	for _, c := range ipv6TestPackets(t) {
		for n := 0; n < len(c.pkt); n++ {
			_ = d.Decode(c.pkt[:n])
			for _, typ := range []gopacket.LayerType{layers.LayerTypeICMPv6, layers.LayerTypeUDP, layers.LayerTypeTCP} {
				if d.Checksum(typ).State == ChecksumBad {
					t.Errorf("%s cut at %d: %v checksum bad, want incomplete", c.name, n, typ)
				}
			}
		}
	}
}

func TestDecodeIPv6NoAllocs(t *testing.T) {
	d := NewDecoder(layers.LayerTypeIPv6)
	pkts := ipv6TestPackets(t)
	buf := make([]byte, 0, 256)
	n := testing.AllocsPerRun(100, func() {
		for _, c := range pkts {
			_ = d.Decode(c.pkt)
			buf = d.AppendSummary(buf[:0])
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

// TestWriteIPv6FuzzSeeds keeps the IPv6 seeds of FuzzDecode in step with
// the packets above: run with RAWKIT_WRITE_SEEDS=1 to rewrite them.
func TestWriteIPv6FuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for i, c := range ipv6TestPackets(t) {
		name := filepath.Join(dir, fmt.Sprintf("ipv6-%d", i))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", c.pkt)
		if os.Getenv("RAWKIT_WRITE_SEEDS") != "" {
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s is stale (%v): rerun with RAWKIT_WRITE_SEEDS=1", name, err)
		}
	}
}

func BenchmarkDecodeIPv6Echo(b *testing.B) {
	d := NewDecoder(layers.LayerTypeIPv6)
	p, err := NewBuilder().BuildICMPv6(NewICMPv6Echo(src6, dst6, 1, 2, make([]byte, 56)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}
