package spec

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

// FuzzBuildDecode: every packet a spec builds decodes back through craft
// as what the spec asked for: the outer layer it names, the addresses
// Packet reports, and a printable summary.
func FuzzBuildDecode(f *testing.F) {
	for _, s := range []string{
		`ip(dst=10.0.0.2, ttl=3)/icmp(type=echo-request, id=1, seq=1)/raw("hello")`,
		`ip(dst=10.0.0.2)/udp(sport=1234, dport=53)/raw(hex="00ff")`,
		`ip(dst=10.0.0.2)/tcp(dport=80, flags=S, options=[mss=1460, sackok, wscale=7])`,
		`ip(options=[nop, rr=2])/icmp(type=3, code=port-unreachable)/ip()/udp()`,
		`ip6(dst=fd00::2, hlim=3)/icmp6(type=echo-request, id=1, seq=1)/raw("hi")`,
		`ip6()/hbh(options=[ra=0])/rt(addrs=[fd00::3], segleft=1)/frag6(offset=8, m=1, id=7)/dest()/tcp()`,
	} {
		f.Add(s)
	}
	v4, v6 := craft.NewDecoder(layers.LayerTypeIPv4), craft.NewDecoder(layers.LayerTypeIPv6)
	f.Fuzz(func(t *testing.T, s string) {
		pkts, err := ParseConfig(s, &Config{Source: testSource.Source, MaxPackets: 16})
		if err != nil {
			return
		}
		for _, p := range pkts {
			d, src, dst := v4, net.IP(nil), net.IP(nil)
			if len(p.Bytes) > 0 && p.Bytes[0]>>4 == 6 {
				d = v6
			}
			err := d.Decode(p.Bytes)
			if len(d.Layers()) == 0 {
				t.Fatalf("%q: built %x, which decodes to nothing: %v", s, p.Bytes, err)
			}
			if got, want := d.Layers()[0], p.Layers[0].LayerType(); got != want {
				t.Fatalf("%q: decodes as %v first, built as %v", s, got, want)
			}
			switch d.Layers()[0] {
			case layers.LayerTypeIPv4:
				src, dst = d.IPv4.SrcIP, d.IPv4.DstIP
			case layers.LayerTypeIPv6:
				src, dst = d.IPv6.SrcIP, d.IPv6.DstIP
			}
			if !src.Equal(p.Src.AsSlice()) || !dst.Equal(p.Dst.AsSlice()) {
				t.Fatalf("%q: decoded %v > %v, Packet says %v > %v", s, src, dst, p.Src, p.Dst)
			}
			_ = d.AppendSummary(nil)
		}
	})
}
