//go:build privileged

package inject

import (
	"bytes"
	"context"
	"net/netip"
	"testing"

	packetspec "github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestSendIPv6: IPv6 specs go out through an IPV6_HDRINCL socket exactly
// as built, as B's capture shows byte for byte: header fields, a kept bad
// checksum, extension headers and a later fragment included. The source
// comes from A's IPv6 route.
func TestSendIPv6(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	specs := []string{
		`ip6(dst=fd00::2, hlim=7, tc=0x28, fl=12345)/icmp6(id=4242, seq=[1,2,3])/raw("rawkit")`,
		`ip6(dst=fd00::2)/udp(sport=4000, dport=9, chksum=0xbad0)/raw("x")`,
		`ip6(dst=fd00::2)/hbh()/dest(options=[padn=4])/tcp(sport=4001, dport=9, flags=S)`,
		`ip6(dst=fd00::2)/frag6(offset=100, id=0x77)/raw(size=24)`,
	}
	var want [][]byte
	for _, spec := range specs {
		var pkts []packetspec.Packet
		if err := p.A.Do(func() (err error) {
			pkts, err = Parse(spec, "")
			return err
		}); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if pkts[0].Src != p.A.Addr6() {
			t.Fatalf("%s: source %v, want A's %v", spec, pkts[0].Src, p.A.Addr6())
		}
		s := netlabtest.Sniff(t, p.B, p.BIf, "ip6 and src host "+p.A.Addr6().String())
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
}

// TestSendIPv6Wait: answers to IPv6 packets are matched as scapy's sr
// matches them: B's echo reply, the ICMPv6 port unreachable of a closed
// UDP port (through the quoted datagram) and the RST of a closed TCP port.
func TestSendIPv6Wait(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	for _, c := range []struct {
		spec string
		want func(b []byte) bool
	}{
		{`ip6(dst=fd00::2)/icmp6(id=4343, seq=[1,2])/raw("x")`, func(b []byte) bool { return b[6] == 58 && b[40] == 129 }},
		{`ip6(dst=fd00::2)/udp(sport=4002, dport=9)/raw("x")`, func(b []byte) bool { return b[6] == 58 && b[40] == 1 && b[41] == 4 }},
		{`ip6(dst=fd00::2)/tcp(sport=4003, dport=9, flags=S, seq=100)`, func(b []byte) bool { return b[6] == 6 && b[40+13]&0x04 != 0 }},
	} {
		var pkts []packetspec.Packet
		var res *Result
		if err := p.A.Do(func() error {
			var err error
			if pkts, err = Parse(c.spec, ""); err != nil {
				return err
			}
			sess, err := Open(pkts, &Config{Wait: 2e9})
			if err != nil {
				return err
			}
			defer sess.Close()
			res, err = sess.Run(context.Background())
			return err
		}); err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		got := map[int]int{}
		for _, a := range res.Answers {
			got[a.Index]++
			if len(a.Data) < 48 || !c.want(a.Data) {
				t.Errorf("%s: answer to %d is %x", c.spec, a.Index, a.Data)
			}
			if src := netip.AddrFrom16([16]byte(a.Data[8:24])); src != p.B.Addr6() {
				t.Errorf("%s: answer from %v, want B", c.spec, src)
			}
		}
		if len(got) != len(pkts) {
			t.Errorf("%s: answers %v for %d packets", c.spec, got, len(pkts))
		}
	}
}
