package spec

import "testing"

// BenchmarkSpecParse parses and builds a 3-layer spec into its one packet
// (target: 5 µs).
func BenchmarkSpecParse(b *testing.B) {
	const spec = `ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, tos=0x10)/icmp(type=echo-request, id=1, seq=1)/raw("hello")`
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if _, err := ParseConfig(spec, testSource); err != nil {
			b.Fatal(err)
		}
	}
	if cpu > 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkSpecBuild builds the 256 packets of an expanding spec, per packet.
func BenchmarkSpecBuild(b *testing.B) {
	s, err := Compile(`ip(dst=10.0.0.2, ttl=1-16)/udp(dport=[1-16])/raw(size=32)`, testSource)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Build(testSource); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(s.Count()), "ns/pkt")
}

// BenchmarkSpecParse6 is BenchmarkSpecParse for IPv6 (target: 5 µs).
func BenchmarkSpecParse6(b *testing.B) {
	const spec = `ip6(dst=fd00::2, hlim=3, tc=0x10, fl=12345)/icmp6(type=echo-request, id=1, seq=1)/raw("hello")`
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if _, err := ParseConfig(spec, testSource); err != nil {
			b.Fatal(err)
		}
	}
	if cpu > 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
}
