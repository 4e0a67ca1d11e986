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

// ICMP errors from a ping socket's error queue come as the quoted request
// with the error's type, code, sender and the request's destination
// beside it; they are matched like errors read as packets.
func TestEchoQueuedErrors(t *testing.T) {
	cases := []struct {
		name     string
		typ      int
		code     int
		quoteLen int        // bytes of the request the error kept; -1 all
		dst      netip.Addr // the request's destination the kernel reports
		id       uint16
		matched  bool
	}{
		{"time exceeded", icmp.TypeTimeExceeded, 0, -1, target1, 7, true},
		{"host unreachable, 8-byte quote", icmp.TypeDestUnreach, 1, 8, target1, 7, true},
		{"other identifier", icmp.TypeTimeExceeded, 0, -1, target1, 8, false},
		{"other destination", icmp.TypeDestUnreach, 1, -1, netip.MustParseAddr("127.0.0.9"), 7, false},
		{"not an error type", icmp.TypeEchoReply, 0, -1, target1, 7, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
					q := append([]byte(nil), b...)
					q[4], q[5] = byte(tc.id>>8), byte(tc.id)
					if tc.quoteLen >= 0 {
						q = q[:tc.quoteLen]
					}
					return []icmptest.Delivery{{After: 3 * time.Millisecond, Msg: icmp.Message{Data: q, Src: router, TTL: 62,
						Queued: icmp.QueuedError{Valid: true, Type: tc.typ, Code: tc.code, Dst: tc.dst}}}}
				}, nil)
				cfg := &Config{Count: 2, Interval: 10 * time.Millisecond, Timeout: time.Second, Token: &testTok}
				rec := &recorder{}
				cfg.Handler = rec.handle
				e, err := New(c, 7, []netip.Addr{target1}, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				s, errs := e.Stats(), rec.kinds(EventError)
				if !tc.matched {
					if s.Errors != 0 || len(errs) != 0 || s.Lost != 2 {
						t.Fatalf("unmatched error counted: %+v", s)
					}
					return
				}
				if s.Errors != 2 || s.Lost != 2 || s.Received != 0 || len(errs) != 2 {
					t.Fatalf("stats %+v, %d error events", s, len(errs))
				}
				for i, ev := range errs {
					if ev.From != router || ev.Seq != uint16(i+1) || ev.ICMP.Type != tc.typ || ev.ICMP.Code != tc.code ||
						ev.ICMP.Quote.Dst != target1 || ev.RTT != 3*time.Millisecond || ev.TTL != 62 {
						t.Errorf("event %d: %+v", i, ev)
					}
				}
			})
		})
	}
}
