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
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
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

// TestMonitorICMPError: errors quoting a probe whole or only its echo
// header are matched to it, each once, and do not end it.
func TestMonitorICMPError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			// Every other error quotes the echo header only (RFC 792),
			// without the probe number.
			quote := -1
			if icmptest.Seq(b)%2 == 0 {
				quote = echoHeaderLen
			}
			e := icmptest.ErrorFor(icmp.TypeDestUnreach, 1, self, dst, b, quote)
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

// TestMonitorRemoveInFlight: probes in flight when their target goes
// end with no event and count as abandoned; nothing reaches the handler
// after Remove returns, not even their late replies.
func TestMonitorRemoveInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(1500*time.Millisecond), nil)
		m := newTestMonitor(t, c)
		var mu sync.Mutex
		removed, after := false, 0
		p, _ := m.Add(MonitorTarget{Addr: target1, Interval: 100 * time.Millisecond, Timeout: time.Second, Handler: func(*Event) {
			mu.Lock()
			if removed {
				after++
			}
			mu.Unlock()
		}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- m.Run(ctx) }()
		time.Sleep(5 * time.Second)
		p.Remove()
		mu.Lock()
		removed = true
		mu.Unlock()
		p.Remove() // twice: nothing
		if err := p.SetAddr(target1); err == nil {
			t.Error("SetAddr on a removed target succeeded")
		}
		time.Sleep(5 * time.Second)
		cancel()
		<-done
		s := m.Stats()
		if after != 0 || s.Abandoned < 9 || s.InFlight != 0 || s.Sent != s.Replies+s.Lost+s.Abandoned || s.LateReplies > s.Lost {
			t.Errorf("%d events after Remove; stats %+v", after, s)
		}
		if err := m.Run(context.Background()); err == nil {
			t.Error("a second Run succeeded")
		}
	})
}

// TestMonitorSocketDrops: the kernel's drop count, read off the packets
// that carry it, adds up across its 2^32 wrap and ignores packets that
// were queued before a later count was seen.
func TestMonitorSocketDrops(t *testing.T) {
	t.Parallel()
	m := newTestMonitor(t, icmptest.NewConn(nil, nil))
	for _, d := range []uint32{0, 5, 3, 0, 1 << 31, 1<<32 - 2, 2} {
		m.match(0, nil, &icmp.Message{Drops: d})
	}
	// 3 after 5 is an older packet's count, 0 says nothing; the count
	// grows by less than 2^31 between packets and wraps at 2^32.
	if got, want := m.Stats().SocketDrops, uint64(1<<32+2); got != want {
		t.Errorf("SocketDrops = %d, want %d", got, want)
	}
}

// TestMonitorReaddressAcrossFamilies: a target moved from an IPv4 to an
// IPv6 address goes over the IPv6 socket with ICMPv6 requests, and its
// replies there are matched.
func TestMonitorReaddressAcrossFamilies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c4 := icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)
		c6 := icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)
		m, err := NewMonitor([]Socket{{Conn: c4, ID: 1}, {Conn: c6, ID: 2, IPv6: true}}, &MonitorConfig{Token: &testTok})
		if err != nil {
			t.Fatal(err)
		}
		rec := newMonRec()
		p, err := m.Add(MonitorTarget{Addr: target1, Handler: rec.handle})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- m.Run(ctx) }()
		time.Sleep(3 * time.Second)
		v6 := netip.MustParseAddr("2001:db8::1")
		if err := p.SetAddr(v6); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		cancel()
		<-done
		if n4, n6 := len(c4.Sent()), len(c6.Sent()); n4 < 2 || n4 > 4 || n6 < 2 || n6 > 4 {
			t.Fatalf("%d probes over IPv4, %d over IPv6", n4, n6)
		}
		for _, s := range c6.Sent() {
			if s.Data[0] != icmp.TypeEchoV6 || s.Dst != v6 || binary.BigEndian.Uint16(s.Data[4:]) != 2 {
				t.Errorf("over IPv6: % x to %v", s.Data[:8], s.Dst)
			}
		}
		st := m.Stats()
		if st.Replies != st.Sent || st.Lost != 0 {
			t.Errorf("stats %+v", st)
		}
		if rec.count(EventReply, false) != int(st.Sent) {
			t.Errorf("%d replies reported, %d sent", rec.count(EventReply, false), st.Sent)
		}
	})
}

// TestMonitorReadWait: with MonitorConfig.ReadWait the receiver reads in
// batches, yet a probe's end follows the kernel's receive stamp: a reply
// stamped just before the deadline is a reply even when read after it,
// one stamped just after is lost and late even when read before the
// expiry came to it, and round trips are the stamps'.
func TestMonitorReadWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 2 * time.Second
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 61}
			switch icmptest.Seq(b) % 3 {
			case 0:
				return []icmptest.Delivery{{After: time.Millisecond, Msg: r}}
			case 1:
				// Someone else's reply just before sends the receiver
				// to its wait, past the deadline.
				other := icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 61}
				other.Data[4] ^= 0xff
				return []icmptest.Delivery{{After: timeout - 800*time.Microsecond, Msg: other}, {After: timeout - 300*time.Microsecond, Msg: r}}
			}
			return []icmptest.Delivery{{After: timeout + 300*time.Microsecond, Msg: r}}
		}, nil)
		m, err := NewMonitor([]Socket{{Conn: c, ID: 0x4242}}, &MonitorConfig{Token: &testTok, ReadWait: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		rec := newMonRec()
		if _, err := m.Add(MonitorTarget{Addr: target1, Timeout: timeout, Interval: 100 * time.Millisecond, Handler: rec.handle}); err != nil {
			t.Fatal(err)
		}
		s := runFor(t, m, 30*time.Second)
		sent := int(s.Sent)
		rec.endedOnce(t, sent-30)
		rec.mu.Lock()
		defer rec.mu.Unlock()
		lost := map[int]bool{}
		for _, e := range rec.evs {
			want := map[int]time.Duration{0: time.Millisecond, 1: timeout - 300*time.Microsecond, 2: timeout + 300*time.Microsecond}[int(e.Seq)%3]
			switch {
			case e.Kind == EventLost:
				lost[e.Probe] = true
				if e.Seq%3 != 2 {
					t.Fatalf("probe %d (seq %d) lost, its reply stamped in time", e.Probe, e.Seq)
				}
			case e.Kind == EventReply && (e.RTT != want || e.Late != (e.Seq%3 == 2) || e.Late && !lost[e.Probe]):
				t.Fatalf("reply %+v: want RTT %v, late %v after its loss", e, want, e.Seq%3 == 2)
			}
		}
		if s.Lost < uint64(sent/3-30) || s.LateReplies < s.Lost-30 || s.Replies < uint64(2*sent/3-30) {
			t.Errorf("stats %+v", s)
		}
	})
}
