//go:build privileged

package inject

import (
	"bytes"
	"context"
	"testing"

	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/internal/netlab"
)

// TestSendIPv6: IPv6 specs go out through an IPV6_HDRINCL socket exactly
// as built, as B's capture shows byte for byte: header fields, a kept bad
// checksum, extension headers and a later fragment included. The source
// comes from A's IPv6 route.
func TestSendIPv6(t *testing.T) {
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	specs := []string{
		`ip6(dst=fd00::2, hlim=7, tc=0x28, fl=12345)/icmp6(id=4242, seq=[1,2,3])/raw("rawkit")`,
		`ip6(dst=fd00::2)/udp(sport=4000, dport=9, chksum=0xbad0)/raw("x")`,
		`ip6(dst=fd00::2)/hbh()/dest(options=[padn=4])/tcp(sport=4001, dport=9, flags=S)`,
		`ip6(dst=fd00::2)/frag6(offset=100, id=0x77)/raw(size=24)`,
	}
	var want [][]byte
	for _, spec := range specs {
		var pkts []craft.SpecPacket
		if err := p.A.Do(func() (err error) {
			pkts, err = Parse(spec, "")
			return err
		}); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if pkts[0].Src != p.A.Addr6() {
			t.Fatalf("%s: source %v, want A's %v", spec, pkts[0].Src, p.A.Addr6())
		}
		s := p.B.Sniff(t, p.BIf, "ip6 and src host "+p.A.Addr6().String())
		var sess *Session
		if err := p.A.Do(func() (err error) {
			sess, err = Open(pkts, &Config{Count: 2})
			return err
		}); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		res, err := sess.Run(context.Background())
		sess.Close()
		if err != nil || res.Sent != 2*len(pkts) {
			t.Fatalf("%s: sent %d of %d: %v", spec, res.Sent, 2*len(pkts), err)
		}
		want = want[:0]
		for range 2 {
			for _, pk := range pkts {
				want = append(want, pk.Bytes)
			}
		}
		var got [][]byte
		for _, c := range s.Stop() {
			b := c.IPv6()
			if len(b) > 40 && b[6] == 58 && b[40] >= 133 && b[40] <= 137 {
				continue // A's neighbour discovery
			}
			got = append(got, b)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: B captured %d packets, want %d", spec, len(got), len(want))
		}
		for i, b := range got {
			if !bytes.Equal(b, want[i]) {
				t.Errorf("%s: packet %d on the wire\n %x\nbuilt\n %x", spec, i, b, want[i])
			}
		}
	}
	// Waiting for IPv6 answers is refused in one clear error.
	pkts, err := craft.Parse(`ip6(src=fd00::1, dst=fd00::2)/icmp6()`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(pkts, &Config{Wait: 1e9}); err == nil {
		t.Error("Open with Wait for IPv6 packets did not fail")
	}
}
