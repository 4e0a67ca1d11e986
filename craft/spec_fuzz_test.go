package craft

import (
	"errors"
	"testing"
)

// FuzzParse feeds the spec parser arbitrary text: it must return packets
// or a *SpecError, never panic, and stay fast (the input and the number of
// packets are bounded; the fuzz engine reports a hang).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, tos=0x10)/icmp(type=echo-request, id=1, seq=1)/raw("hello")`,
		`ip(dst=10.0.0.2)/udp(sport=1234, dport=53)/raw(hex="00ff")`,
		`ip(dst=10.0.0.2)/tcp(dport=80, flags=S, seq=1000, window=1024, options=[mss=1460, sackok, wscale=7])`,
		`ip()/ip()/icmp()`,
		`ip(options=[nop, rr=2, lsrr=[10.0.0.1], ts=1, ra, 130=00ff])/icmp(type=3, code=port-unreachable)/ip()/udp()`,
		`ip(dst=10.0.0.0/30, ttl=1-3)/tcp(dport=[22,80,443], options=[sack=[1:2], ts=1:2, 30=ab])`,
		`ip(frag=185, flags=MF+DF)/raw(size=[1,2])`,
		`ip()/raw("\x00\n\"")`,
		`ip(ttl=[1,[2]])`,
		`ip(`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pkts, err := ParseConfig(s, &SpecConfig{Source: testSource.Source, MaxPackets: 64})
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %T is not a *SpecError: %v", s, err, err)
			}
			_ = se.Caret()
			return
		}
		if len(pkts) == 0 || len(pkts) > 64 {
			t.Fatalf("%q: %d packets", s, len(pkts))
		}
		for _, p := range pkts {
			if len(p.Bytes) < 20 || len(p.Bytes) > maxIPv4Len {
				t.Fatalf("%q: packet of %d bytes", s, len(p.Bytes))
			}
			_ = p.Show()
		}
	})
}
