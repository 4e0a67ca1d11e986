package spec

import (
	"errors"
	"testing"
)

// FuzzParse feeds the spec parser arbitrary text: it must return packets
// or a *Error, never panic, and stay fast (the input and the number of
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
		`ip6(dst=fd00::2, hlim=3, tc=0x10, fl=12345)/icmp6(type=echo-request, id=1, seq=1)/raw("hi")`,
		`ip6(dst=fd00::1-3, fl=[1,2])/udp(dport=33434-33435)`,
		`ip6(dst=ff02::1, hlim=255)/icmp6(type=ra, options=[slla=02:00:00:00:00:01, mtu=1500, prefix=2001:db8::/64, 7=00ff])`,
		`ip6()/hbh(options=[ra=0, pad1, padn=3, 99=ab])/rt(addrs=[fd00::3], segleft=1)/frag6(offset=8191, m=1, id=7)/dest()/tcp()`,
		`ip6()/icmp6(type=ptb, mtu=1280)/ip6(dst=fd00::/126)/udp()`,
		`ip6(dst=fd00:::1)/icmp6(tgt=`,
		`ip(`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pkts, err := ParseConfig(s, &Config{Source: testSource.Source, MaxPackets: 64})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %T is not a *Error: %v", s, err, err)
			}
			_ = se.Caret()
			return
		}
		if len(pkts) == 0 || len(pkts) > 64 {
			t.Fatalf("%q: %d packets", s, len(pkts))
		}
		for _, p := range pkts {
			if len(p.Bytes) < 20 || len(p.Bytes) > 65535 {
				t.Fatalf("%q: packet of %d bytes", s, len(p.Bytes))
			}
			_ = p.Show()
		}
	})
}
