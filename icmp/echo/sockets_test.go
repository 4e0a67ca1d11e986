//go:build go1.25

package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"github.com/rawkit/rawkit/icmp"

	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

// TestEchoBothFamilies runs one sweep over an IPv4 and an IPv6 socket
// with one identifier, as raw sockets may have: each target's requests
// go out on the socket of its family, and each socket's replies count for
// its own targets only.
func TestEchoBothFamilies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c4 := icmptest.NewConn(icmptest.ReplyAfter(200*time.Microsecond), nil)
		c6 := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := []icmptest.Delivery{{After: 300 * time.Microsecond, Msg: icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 64}}}
			if icmptest.Seq(b)%2 == 0 {
				// The same reply delivered on the IPv4 socket too, as a
				// confused peer might: it is not an IPv4 target's.
				c4.Deliver(icmp.Message{Data: icmptest.EchoReply(b), Src: netip.MustParseAddr("127.0.0.9"), TTL: 64})
			}
			return r
		}, nil)
		other6 := netip.MustParseAddr("fd00:0:0:9::3")
		targets := []netip.Addr{target1, target6, netip.MustParseAddr("127.0.0.2"), other6}
		rec := &recorder{}
		cfg := Config{Count: 2, Interval: 10 * time.Millisecond, Timeout: time.Second, Token: &testTok, Handler: rec.handle}
		e, err := NewSockets([]Socket{{Conn: c4, ID: 0x4444}, {Conn: c6, ID: 0x4444, IPv6: true}}, targets, &cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, p := range c4.Sent() {
			if !p.Dst.Is4() || p.Data[0] != icmp.TypeEcho || idOf(p.Data) != 0x4444 {
				t.Errorf("IPv4 socket sent type %d id %#x to %v", p.Data[0], idOf(p.Data), p.Dst)
			}
		}
		for _, p := range c6.Sent() {
			if !p.Dst.Is6() || p.Data[0] != icmp.TypeEchoV6 || idOf(p.Data) != 0x4444 {
				t.Errorf("IPv6 socket sent type %d id %#x to %v", p.Data[0], idOf(p.Data), p.Dst)
			}
		}
		if n4, n6 := len(c4.Sent()), len(c6.Sent()); n4 != 4 || n6 != 4 {
			t.Fatalf("sent %d on IPv4 and %d on IPv6, want 4 and 4", n4, n6)
		}
		for i, a := range targets {
			s := e.TargetStats(i)
			if s.Transmitted != 2 || s.Received != 2 || s.Duplicates != 0 || s.Lost != 0 {
				t.Errorf("target %v: %+v, want 2 sent, 2 received, no duplicates", a, s)
			}
		}
		if got := len(rec.kinds(EventDuplicate)); got != 0 {
			t.Errorf("%d duplicates from replies on the wrong socket", got)
		}
	})
}

func TestNewEchoSocketsRejects(t *testing.T) {
	v4 := Socket{Conn: icmptest.NewConn(nil, nil), ID: 1}
	v6 := Socket{Conn: icmptest.NewConn(nil, nil), ID: 2, IPv6: true}
	for name, c := range map[string]struct {
		socks   []Socket
		targets []netip.Addr
		cfg     *Config
	}{
		"no socket":           {nil, []netip.Addr{target1}, nil},
		"two IPv4 sockets":    {[]Socket{v4, v4}, []netip.Addr{target1}, nil},
		"no IPv6 socket":      {[]Socket{v4}, []netip.Addr{target1, target6}, nil},
		"no IPv4 socket":      {[]Socket{v6}, []netip.Addr{target1}, nil},
		"flood over two":      {[]Socket{v4, v6}, []netip.Addr{target1, target6}, &Config{Flood: true}},
		"nil conn":            {[]Socket{{ID: 1}}, []netip.Addr{target1}, nil},
		"mapped IPv4 address": {[]Socket{v4, v6}, []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil},
	} {
		if _, err := NewSockets(c.socks, c.targets, c.cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func idOf(b []byte) uint16 { return uint16(b[4])<<8 | uint16(b[5]) }
