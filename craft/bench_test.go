package craft

import (
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The hot path of a pinger: one echo request with a 56-byte payload (84
// bytes on the wire), rebuilt with a new sequence number each time.

func BenchmarkBuildICMPEcho(b *testing.B) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 0, make([]byte, 56))
	bld := NewBuilder()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.ICMP.Seq = uint16(i)
		if _, err := bld.BuildICMPv4(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildICMPEchoLayers builds the same packet through the generic
// Build, from gopacket layers.
func BenchmarkBuildICMPEchoLayers(b *testing.B) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 0, make([]byte, 56))
	bld := NewBuilder()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.ICMP.Seq = uint16(i)
		if _, err := bld.Build(&p.IP, &p.ICMP, &p.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildICMPEchoGopacket is gopacket's own serialization of the same
// packet, for comparison.
func BenchmarkBuildICMPEchoGopacket(b *testing.B) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 0, make([]byte, 56))
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.ICMP.Seq = uint16(i)
		if err := gopacket.SerializeLayers(buf, opts, &p.IP, &p.ICMP, &p.Payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeICMPEcho(b *testing.B) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 1, make([]byte, 56))
	pkt, err := NewBuilder().BuildICMPv4(p)
	if err != nil {
		b.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(pkt); err != nil {
			b.Fatal(err)
		}
	}
	if !d.ChecksumsValid() {
		b.Fatal("checksums invalid")
	}
}

func BenchmarkDecodeTCPSYN(b *testing.B) {
	pkt, err := NewBuilder().BuildTCP(linuxSYN())
	if err != nil {
		b.Fatal(err)
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(pkt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendSummaryICMPEcho(b *testing.B) {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 1, make([]byte, 56))
	pkt, err := NewBuilder().BuildICMPv4(p)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = AppendSummary(dst[:0], pkt, layers.LayerTypeIPv4)
	}
}

func BenchmarkAppendSummaryTCPSYN(b *testing.B) {
	pkt, err := NewBuilder().BuildTCP(linuxSYN())
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = AppendSummary(dst[:0], pkt, layers.LayerTypeIPv4)
	}
}
