//go:build go1.25

package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"context"
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

func TestSweepRateAndAllAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var targets []netip.Addr
		a := netip.MustParseAddr("127.0.0.1")
		for range 1000 {
			targets = append(targets, a)
			a = a.Next()
		}
		c := icmptest.NewConn(icmptest.ReplyAfter(100*time.Microsecond), nil)
		e, _, err := run(t, c, targets, Config{Count: 1, Rate: 10000, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if s := e.Stats(); s.Transmitted != 1000 || s.Received != 1000 {
			t.Fatalf("stats %+v", s)
		}
		for i := range targets {
			if s := e.TargetStats(i); s.Received != 1 {
				t.Fatalf("target %v: %+v", targets[i], s)
			}
		}
		// Every target was probed once, in order, on the one socket.
		for i, p := range c.Sent() {
			if p.Dst != targets[i] {
				t.Fatalf("probe %d went to %v, want %v", i, p.Dst, targets[i])
			}
		}
		d, rate := e.Elapsed()
		if rate < 9500 || rate > 10500 || d < 90*time.Millisecond {
			t.Errorf("achieved %v pps over %v, want about 10000", rate, d)
		}
	})
}

func TestFloodKeepsPreloadInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(20*time.Microsecond), nil)
		start := time.Now()
		e, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 1000, Flood: true})
		if err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if s.Transmitted != 1000 || s.Received != 1000 || s.Pipe != 1 {
			t.Fatalf("stats %+v", s)
		}
		if d := time.Since(start); d != 1000*20*time.Microsecond {
			t.Errorf("flood of 1000 took %v, want 20ms: one in flight, next sent on each reply", d)
		}
		if len(rec.kinds(EventSent)) != 1000 {
			t.Error("missing sent events")
		}
		if n := e.heap.len(); n != 0 {
			t.Errorf("%d deadlines left on the heap: answered probes must leave it", n)
		}
	})
}

func TestFloodWithoutRepliesSendsEvery10ms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func([]byte, netip.Addr) []icmptest.Delivery { return nil }, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 95*time.Millisecond)
		defer cancel()
		cfg := &Config{Flood: true, Preload: 2, Token: &testTok}
		e, err := New(c, 7, []netip.Addr{target1}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run: %v", err)
		}
		// Two at once (preload), then one every 10 ms: 2 + 9.
		if s := e.Stats(); s.Transmitted != 11 || s.Lost != 11 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestLingerEndsRunLikeIputils(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if icmptest.Seq(b) == 3 {
				return nil
			}
			return icmptest.ReplyAfter(3*time.Millisecond)(b, dst)
		}, nil)
		start := time.Now()
		e, _, err := run(t, c, []netip.Addr{target1}, Config{Count: 3, Interval: 200 * time.Millisecond, Linger: true})
		if err != nil {
			t.Fatal(err)
		}
		// Last probe at 400 ms; wait max(2 × 3 ms, 200 ms) more.
		if d := time.Since(start); d != 600*time.Millisecond {
			t.Errorf("run took %v, want 600ms", d)
		}
		if s := e.Stats(); s.Transmitted != 3 || s.Received != 2 || s.Lost != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestCountRepliesKeepsProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if icmptest.Seq(b) <= 2 {
				return nil
			}
			return icmptest.ReplyAfter(time.Millisecond)(b, dst)
		}, nil)
		e, _, err := run(t, c, []netip.Addr{target1}, Config{Count: 2, CountReplies: true,
			Interval: 100 * time.Millisecond, Timeout: 150 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if s := e.Stats(); s.Transmitted != 4 || s.Received != 2 || s.Lost != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestCancelEndsPendingProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(2*time.Second), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		cfg := &Config{Token: &testTok}
		e, err := New(c, 7, []netip.Addr{target1}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run: %v", err)
		}
		if s := e.Stats(); s.Transmitted != 2 || s.Received != 0 || s.Lost != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestLateReplyCountsAsReceived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if icmptest.Seq(b) == 1 {
				return icmptest.ReplyAfter(1500*time.Millisecond)(b, dst)
			}
			return icmptest.ReplyAfter(time.Millisecond)(b, dst)
		}, nil)
		e, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 3, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if s := e.Stats(); s.Received != 3 || s.Lost != 0 {
			t.Fatalf("stats %+v", s)
		}
		if len(rec.kinds(EventLost)) != 1 {
			t.Error("no lost event at the deadline")
		}
		replies := rec.kinds(EventReply)
		if len(replies) != 3 || !replies[1].Late || replies[1].Seq != 1 {
			t.Errorf("replies %+v", replies)
		}
	})
}
