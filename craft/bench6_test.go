package craft

import "testing"

// The hot path of an IPv6 pinger: one echo request with a 56-byte payload
// (104 bytes on the wire), rebuilt with a new sequence number each time.
func BenchmarkBuildICMPv6Echo(b *testing.B) {
	p := NewICMPv6Echo(src6, dst6, 7, 0, make([]byte, 56))
	bld := NewBuilder()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Echo.SeqNumber = uint16(i)
		if _, err := bld.BuildICMPv6(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildICMPv6EchoLayers builds the same packet through Build.
func BenchmarkBuildICMPv6EchoLayers(b *testing.B) {
	p := NewICMPv6Echo(src6, dst6, 7, 0, make([]byte, 56))
	bld := NewBuilder()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Echo.SeqNumber = uint16(i)
		if _, err := bld.Build(&p.IP, &p.ICMP, &p.Echo, &p.Payload); err != nil {
			b.Fatal(err)
		}
	}
}
