//go:build go1.25

package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"github.com/rawkit/rawkit/icmp"

	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

var (
	target6 = netip.MustParseAddr("fd00:0:0:9::2")
	router6 = netip.MustParseAddr("fd00:0:0:1::2")
	self6   = netip.MustParseAddr("fd00:0:0:1::1")
)

func TestEcho6RepliesAndErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			switch icmptest.Seq(b) {
			case 1:
				return []icmptest.Delivery{{After: 300 * time.Microsecond, Msg: icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 61}}}
			case 2:
				m := icmptest.Error6(icmp.TypeTimeExceededV6, 0, 0, self6, dst, icmp.ProtocolICMPv6, b)
				return []icmptest.Delivery{{After: 100 * time.Microsecond, Msg: icmp.Message{Data: m, Src: router6, TTL: 63}}}
			case 3: // an IPv4-style echo reply means nothing on an ICMPv6 socket
				r := append([]byte(nil), b...)
				r[0] = icmp.TypeEchoReply
				return []icmptest.Delivery{{After: 100 * time.Microsecond, Msg: icmp.Message{Data: r, Src: dst, TTL: 61}}}
			}
			m := icmptest.Error6(icmp.TypePacketTooBigV6, 0, 1280, self6, dst, icmp.ProtocolICMPv6, b)
			return []icmptest.Delivery{{After: 100 * time.Microsecond, Msg: icmp.Message{Data: m, Src: router6, TTL: 63}}}
		}, nil)
		e, rec, err := run(t, c, []netip.Addr{target6}, Config{Count: 4, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.Sent() {
			if p.Data[0] != icmp.TypeEchoV6 || p.Dst != target6 || len(p.Data) != 64 {
				t.Errorf("sent type %d to %v, %d bytes; want an ICMPv6 echo request of 64 bytes to %v", p.Data[0], p.Dst, len(p.Data), target6)
			}
		}
		s := e.Stats()
		if s.Transmitted != 4 || s.Received != 1 || s.Errors != 2 || s.Lost != 3 {
			t.Fatalf("stats %+v, want 4 sent, 1 received, 2 errors, 3 lost", s)
		}
		r := rec.kinds(EventReply)
		if len(r) != 1 || r[0].TTL != 61 || r[0].RTT != 300*time.Microsecond || r[0].Bytes != 64 {
			t.Errorf("replies %+v", r)
		}
		errs := rec.kinds(EventError)
		if len(errs) != 2 {
			t.Fatalf("errors %+v", errs)
		}
		te, ptb := errs[0].ICMP, errs[1].ICMP
		if !te.IPv6 || te.Type != icmp.TypeTimeExceededV6 || errs[0].Seq != 2 || errs[0].From != router6 || te.Quote.FlowLabel != 0x12345 {
			t.Errorf("time exceeded %+v", errs[0])
		}
		if ptb.Type != icmp.TypePacketTooBigV6 || ptb.MTU != 1280 || errs[1].Seq != 4 {
			t.Errorf("packet too big %+v", errs[1])
		}
	})
}

func TestEcho6ErrorForOtherDestinationIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		other := netip.MustParseAddr("fd00::99")
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			m := icmptest.Error6(icmp.TypeDestUnreachV6, 3, 0, self6, other, icmp.ProtocolICMPv6, b)
			return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: m, Src: router6, TTL: 63}}}
		}, nil)
		e, _, err := run(t, c, []netip.Addr{target6}, Config{Count: 1, Timeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if s := e.Stats(); s.Errors != 0 || s.Lost != 1 {
			t.Errorf("stats %+v: an error quoting a request to another host was counted", s)
		}
	})
}

func TestEcho6QueuedError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			q := icmp.QueuedError{Valid: true, Type: icmp.TypePacketTooBigV6, Code: 0, Info: 1400, Dst: dst}
			return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: append([]byte(nil), b...), Src: router6, TTL: -1, Queued: q}}}
		}, nil)
		_, rec, err := run(t, c, []netip.Addr{target6}, Config{Count: 1, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		errs := rec.kinds(EventError)
		if len(errs) != 1 || !errs[0].ICMP.IPv6 || errs[0].ICMP.MTU != 1400 || errs[0].From != router6 {
			t.Fatalf("queued errors %+v", errs)
		}
	})
}

func TestEchoRejectsMixedFamilies(t *testing.T) {
	for _, ts := range [][]netip.Addr{{target1, target6}, {target6, target1}} {
		if _, err := New(icmptest.NewConn(nil, nil), 1, ts, nil); err == nil {
			t.Errorf("New(%v) accepted two families on one socket", ts)
		}
	}
}

// TestEchoLargestPayload: ICMPv6 carries 20 bytes more than ICMP, as
// iputils' ping -6 -s 65527 does, since IPv6's payload length does not
// count its header; a run with an IPv4 socket keeps IPv4's bound.
func TestEchoLargestPayload(t *testing.T) {
	for _, c := range []struct {
		socks   []Socket
		targets []netip.Addr
		size    int
		ok      bool
	}{
		{[]Socket{{IPv6: true}}, []netip.Addr{target6}, 65527, true},
		{[]Socket{{IPv6: true}}, []netip.Addr{target6}, 65528, false},
		{[]Socket{{}}, []netip.Addr{target1}, 65507, true},
		{[]Socket{{}}, []netip.Addr{target1}, 65508, false},
		{[]Socket{{}, {IPv6: true}}, []netip.Addr{target1, target6}, 65508, false},
	} {
		for i := range c.socks {
			c.socks[i].Conn = icmptest.NewConn(nil, nil)
		}
		_, err := NewSockets(c.socks, c.targets, &Config{Size: c.size})
		if (err == nil) != c.ok {
			t.Errorf("%v, size %d: error %v, want accepted %v", c.targets, c.size, err, c.ok)
		}
	}
}
