//go:build go1.25

package echo

import (
	"context"
	"encoding/binary"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

// monRec keeps a Monitor target's events.
type monRec struct {
	mu   sync.Mutex
	evs  []Event
	ends map[int]int // probe -> replies on time plus losses: must end at 1
}

func newMonRec() *monRec { return &monRec{ends: map[int]int{}} }

func (r *monRec) handle(e *Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, *e)
	if e.Kind == EventLost || e.Kind == EventReply && !e.Late {
		r.ends[e.Probe]++
	}
}

func (r *monRec) count(k EventKind, late bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.evs {
		if e.Kind == k && e.Late == late {
			n++
		}
	}
	return n
}

// endedOnce checks that probes 1..n each ended exactly once.
func (r *monRec) endedOnce(t *testing.T, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := 1; p <= n; p++ {
		if r.ends[p] != 1 {
			t.Errorf("probe %d ended %d times", p, r.ends[p])
		}
	}
}

func newTestMonitor(t *testing.T, c Conn) *Monitor {
	t.Helper()
	m, err := NewMonitor([]Socket{{Conn: c, ID: 0x4242}}, &MonitorConfig{Token: &testTok})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runFor runs m for d of the bubble's time and checks every send so far
// is accounted for.
func runFor(t *testing.T, m *Monitor, d time.Duration) MonitorStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := m.Run(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Run = %v", err)
	}
	s := m.Stats()
	if s.Sent != s.Replies+s.Lost+s.Abandoned+s.InFlight {
		t.Errorf("stats do not add up: %+v", s)
	}
	return s
}

func TestMonitorRepliesLostLateDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Probe n: n%4 == 0 no answer, 1 a reply after 1 ms, 2 two
		// replies, 3 a reply after 3 s (the timeout is 2 s: late).
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 61}
			switch icmptest.Seq(b) % 4 {
			case 1:
				return []icmptest.Delivery{{After: time.Millisecond, Msg: r}}
			case 2:
				return []icmptest.Delivery{{After: time.Millisecond, Msg: r}, {After: 2 * time.Millisecond, Msg: r}}
			case 3:
				return []icmptest.Delivery{{After: 3 * time.Second, Msg: r}}
			}
			return nil
		}, nil)
		m := newTestMonitor(t, c)
		rec := newMonRec()
		if _, err := m.Add(MonitorTarget{Addr: target1, Handler: rec.handle}); err != nil {
			t.Fatal(err)
		}
		s := runFor(t, m, 100*time.Second+time.Millisecond)
		// 100 or 101 probes by the phase; those of the last 3 s may be
		// in flight or their late replies not yet in.
		sent := int(s.Sent)
		if sent < 100 || sent > 101 || s.Replies != uint64((sent+2)/4*2) && s.Replies < 48 {
			t.Fatalf("stats %+v", s)
		}
		rec.endedOnce(t, sent-3)
		if d := rec.count(EventDuplicate, false); d < 24 || uint64(d) != s.Duplicates {
			t.Errorf("%d duplicates, stats %d", d, s.Duplicates)
		}
		if l := rec.count(EventReply, true); l < 23 || uint64(l) != s.LateReplies {
			t.Errorf("%d late replies, stats %d", l, s.LateReplies)
		}
		if got := rec.count(EventLost, false); uint64(got) != s.Lost || s.Lost < 48 {
			t.Errorf("%d lost events, stats %+v", got, s)
		}
		for _, e := range rec.evs {
			if e.Kind == EventReply && !e.Late && (e.RTT != time.Millisecond || e.TTL != 61) {
				t.Fatalf("reply %+v: want RTT 1ms, TTL 61", e)
			}
			if e.Kind == EventReply && e.Late && e.RTT != 3*time.Second {
				t.Fatalf("late reply %+v: want RTT 3s", e)
			}
		}
	})
}

// TestMonitorStrangers: replies carrying another token, another
// identifier, a number never sent or the right number's low 32 bits
// with other high bits are nobody's, and counted nowhere.
func TestMonitorStrangers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c *icmptest.Conn
		c = icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			var out []icmptest.Delivery
			for i := range 4 {
				r := icmptest.EchoReply(b)
				p := r[echoHeaderLen:]
				switch i {
				case 0:
					p[0] ^= 1 // token
				case 1:
					r[4] ^= 1 // identifier
				case 2:
					binary.BigEndian.PutUint64(p[tokenLen:], binary.BigEndian.Uint64(p[tokenLen:])+1<<32)
				case 3:
					binary.BigEndian.PutUint64(p[tokenLen:], 1<<40)
				}
				out = append(out, icmptest.Delivery{After: time.Millisecond, Msg: icmp.Message{Data: r, Src: dst, TTL: 64}})
			}
			return out
		}, nil)
		m := newTestMonitor(t, c)
		rec := newMonRec()
		m.Add(MonitorTarget{Addr: target1, Handler: rec.handle})
		s := runFor(t, m, 10*time.Second)
		if s.Replies+s.Duplicates+s.LateReplies != 0 || s.Lost < 7 {
			t.Fatalf("strangers counted: %+v", s)
		}
	})
}

func TestMonitorICMPError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			e := icmptest.ErrorFor(icmp.TypeDestUnreach, 1, self, dst, b, -1)
			return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: e, Src: router, TTL: 250}}}
		}, nil)
		m := newTestMonitor(t, c)
		rec := newMonRec()
		m.Add(MonitorTarget{Addr: target1, Interval: time.Second, Handler: rec.handle})
		s := runFor(t, m, 10*time.Second)
		errs := rec.count(EventError, false)
		if errs < 9 || uint64(errs) != s.Errors || s.Replies != 0 || s.Lost < 7 {
			t.Fatalf("%d error events, stats %+v", errs, s)
		}
		for _, e := range rec.evs {
			if e.Kind == EventError && (e.ICMP.Type != icmp.TypeDestUnreach || e.From != router || e.RTT != time.Millisecond) {
				t.Fatalf("error event %+v", e)
			}
		}
		rec.endedOnce(t, int(s.Lost))
	})
}

// TestMonitorChangesDuringRun: targets added, readdressed and removed
// while the Monitor runs.
func TestMonitorChangesDuringRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)
		m := newTestMonitor(t, c)
		a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
		ra, rb := newMonRec(), newMonRec()
		pa, err := m.Add(MonitorTarget{Addr: a, Handler: ra.handle})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- m.Run(ctx) }()
		time.Sleep(5 * time.Second)
		pb, _ := m.Add(MonitorTarget{Addr: b, Interval: 500 * time.Millisecond, Handler: rb.handle})
		time.Sleep(5 * time.Second)
		if err := pa.SetAddr(b); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		pb.Remove()
		nb := rb.count(EventSent, false)
		time.Sleep(5 * time.Second)
		if got := m.Stats().Targets; got != 1 {
			t.Errorf("%d targets after one removed", got)
		}
		cancel()
		<-done
		if nb < 19 || nb > 21 || rb.count(EventSent, false) != nb {
			t.Errorf("removed target: %d probes in 10 s at 2/s, %d in all", nb, rb.count(EventSent, false))
		}
		toA, toB := 0, 0
		for _, p := range c.Sent() {
			switch {
			case p.Dst == a && p.At.Before(time.Now().Add(-10*time.Second)):
				toA++
			case p.Dst == a:
				t.Errorf("probe to %v at %v, after the target moved", a, p.At)
			case p.Dst == b:
				toB++
			}
		}
		if toA < 9 || toA > 11 {
			t.Errorf("%d probes to %v in 10 s", toA, a)
		}
		if got := ra.count(EventReply, false); got < 19 {
			t.Errorf("readdressed target: %d replies", got)
		}
		s := m.Stats()
		if s.Sent != s.Replies+s.Lost+s.Abandoned+s.InFlight || s.Lost != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestMonitorSpread: a thousand targets at 1 s go out spread over the
// second, without a burst, and each exactly on its own schedule.
func TestMonitorSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(100*time.Microsecond), &icmptest.Config{Unrecorded: true})
		m := newTestMonitor(t, c)
		start := time.Now()
		var mu sync.Mutex
		var buckets [100]int
		last := map[int]time.Time{}
		for i := range 1000 {
			a := netip.AddrFrom4([4]byte{127, 1, byte(i >> 8), byte(i)})
			m.Add(MonitorTarget{Addr: a, Handler: func(e *Event) {
				if e.Kind != EventSent {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				buckets[e.Time.Sub(start)%time.Second/(10*time.Millisecond)]++
				if l, ok := last[e.Target]; ok && e.Time.Sub(l) != time.Second {
					t.Errorf("target %d: %v between probes", e.Target, e.Time.Sub(l))
				}
				last[e.Target] = e.Time
			}})
		}
		s := runFor(t, m, 10*time.Second)
		for i, n := range buckets {
			if n > 200 { // 100 on average
				t.Errorf("10 ms slot %d of the second: %d sends", i, n)
			}
		}
		if s.Sent != 10000 || s.Lost != 0 || s.SchedulerLagMax != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestMonitorBadTargets(t *testing.T) {
	t.Parallel()
	m := newTestMonitor(t, icmptest.NewConn(nil, nil))
	for _, tc := range []struct {
		t    MonitorTarget
		want string
	}{
		{MonitorTarget{}, "no target address"},
		{MonitorTarget{Addr: netip.MustParseAddr("::1")}, "no IPv6 socket"},
		{MonitorTarget{Addr: target1, Interval: time.Microsecond}, "interval 1µs"},
		{MonitorTarget{Addr: target1, Timeout: time.Hour}, "timeout 1h0m0s"},
		{MonitorTarget{Addr: target1, Size: 15}, "size 15"},
		{MonitorTarget{Addr: target1, Size: 70000}, "size 70000"},
		{MonitorTarget{Addr: target1, TOS: 256}, "TOS 256"},
		{MonitorTarget{Addr: target1, TOS: 4}, "cannot set a TOS"},
		{MonitorTarget{Addr: target1, Source: netip.MustParseAddr("::1")}, "source ::1"},
	} {
		_, err := m.Add(tc.t)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%+v) = %v, want an error with %q", tc.t, err, tc.want)
		}
	}
	if s := m.Stats(); s.Targets != 0 {
		t.Errorf("%d targets after failed Adds", s.Targets)
	}
}
