//go:build go1.25

package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"github.com/rawkit/rawkit/icmp"

	"context"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var (
	target1 = netip.MustParseAddr("127.0.0.1")
	router  = netip.MustParseAddr("10.0.1.1")
	self    = netip.MustParseAddr("10.0.0.1")
	testTok = Token{1, 2, 3, 4, 5, 6, 7, 8}
)

// recorder keeps copies of the events of a run.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) handle(e *Event) {
	r.mu.Lock()
	r.evs = append(r.evs, *e)
	r.mu.Unlock()
}

func (r *recorder) kinds(k EventKind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func run(t *testing.T, c Conn, targets []netip.Addr, cfg Config) (*Engine, *recorder, error) {
	t.Helper()
	rec := &recorder{}
	cfg.Handler = rec.handle
	if cfg.Token == nil {
		cfg.Token = &testTok
	}
	e, err := New(c, 0x4242, targets, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, rec, e.Run(context.Background())
}

func TestEchoRepliesAndRTT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(500*time.Microsecond), nil)
		start := time.Now()
		e, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 3})
		if err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if s.Transmitted != 3 || s.Received != 3 || s.Lost != 0 || s.Duplicates != 0 {
			t.Fatalf("stats %+v", s)
		}
		if s.Min() != 500*time.Microsecond || s.Max() != 500*time.Microsecond || s.MDev() != 0 {
			t.Errorf("rtt min %v max %v mdev %v, want 500µs/500µs/0", s.Min(), s.Max(), s.MDev())
		}
		sent := c.Sent()
		for i, p := range sent {
			if got := icmptest.Seq(p.Data); got != uint16(i+1) {
				t.Errorf("probe %d has seq %d, want %d", i, got, i+1)
			}
			if want := start.Add(time.Duration(i) * time.Second); !p.At.Equal(want) {
				t.Errorf("probe %d sent at +%v, want +%v", i, p.At.Sub(start), want.Sub(start))
			}
		}
		// The run ends as soon as the last reply is in.
		if d := time.Since(start); d != 2*time.Second+500*time.Microsecond {
			t.Errorf("run took %v", d)
		}
		if got := len(rec.kinds(EventReply)); got != 3 {
			t.Errorf("%d reply events", got)
		}
	})
}

func TestEchoLossCountsOnlyExpiredProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if icmptest.Seq(b) == 2 {
				return nil // lost
			}
			return icmptest.ReplyAfter(time.Millisecond)(b, dst)
		}, nil)
		cfg := &Config{Count: 3, Timeout: 5 * time.Second, Token: &testTok}
		e, err := New(c, 7, []netip.Addr{target1}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- e.Run(context.Background()) }()
		// 1.5 s in: probe 2 is out and not yet expired, so nothing is lost.
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		if s := e.Stats(); s.Transmitted != 2 || s.Received != 1 || s.Lost != 0 || s.Loss() != 0 || s.Pending() != 1 {
			t.Errorf("mid-run stats %+v loss %v", s, s.Loss())
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if s.Transmitted != 3 || s.Received != 2 || s.Lost != 1 || s.Pending() != 0 {
			t.Fatalf("final stats %+v", s)
		}
		if l := s.Loss(); l < 0.333 || l > 0.334 {
			t.Errorf("loss %v, want 1/3", l)
		}
	})
}

func TestEchoLostEventAtDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func([]byte, netip.Addr) []icmptest.Delivery { return nil }, nil)
		start := time.Now()
		_, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 1, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		lost := rec.kinds(EventLost)
		if len(lost) != 1 || !lost[0].Time.Equal(start.Add(2*time.Second)) {
			t.Fatalf("lost events %+v", lost)
		}
	})
}

func TestEchoDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 64}
			return []icmptest.Delivery{{After: time.Millisecond, Msg: r}, {After: 3 * time.Millisecond, Msg: r}}
		}, nil)
		e, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 2, Interval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		// The run ends with the last probe's first reply, as iputils does,
		// so only probe 1's duplicate is seen.
		if s.Received != 2 || s.Duplicates != 1 || s.Lost != 0 {
			t.Fatalf("stats %+v", s)
		}
		dups := rec.kinds(EventDuplicate)
		if len(dups) != 1 || dups[0].RTT != 3*time.Millisecond || dups[0].Seq != 1 {
			t.Fatalf("duplicate events %+v", dups)
		}
		// iputils counts duplicates in the RTT figures: 1, 3, 1 ms.
		if s.Min() != time.Millisecond || s.Max() != 3*time.Millisecond || s.Avg() != 1666*time.Microsecond {
			t.Errorf("min %v avg %v max %v", s.Min(), s.Avg(), s.Max())
		}
	})
}

// Replies that are not ours must never complete a probe.
func TestEchoIgnoresForeignReplies(t *testing.T) {
	mutate := map[string]func(b []byte) []byte{
		"other identifier": func(b []byte) []byte { b[5]++; return b },
		"other token":      func(b []byte) []byte { b[8] ^= 0xff; return b },
		"other sequence":   func(b []byte) []byte { b[7] += 9; return b },
		"other probe number (older wrap)": func(b []byte) []byte {
			b[9]++ // the same low 16 bits, another epoch
			return b
		},
		"echo request": func(b []byte) []byte { b[0] = icmp.TypeEcho; return b },
		"bad code":     func(b []byte) []byte { b[1] = 1; return b },
		"truncated":    func(b []byte) []byte { return b[:6] },
	}
	for name, f := range mutate {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
					return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: f(icmptest.EchoReply(b)), Src: dst, TTL: 64}}}
				}, nil)
				e, _, err := run(t, c, []netip.Addr{target1}, Config{Count: 1, Timeout: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if s := e.Stats(); s.Received != 0 || s.Duplicates != 0 || s.Lost != 1 {
					t.Fatalf("stats %+v", s)
				}
			})
		})
	}
}

func TestEchoSequenceWrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)
		cfg := &Config{Count: 4, Interval: 10 * time.Millisecond, Token: &testTok}
		e, err := New(c, 7, []netip.Addr{target1}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.nextNo = 65534
		if err := e.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		var seqs []uint16
		for _, p := range c.Sent() {
			seqs = append(seqs, icmptest.Seq(p.Data))
		}
		if want := []uint16{65534, 65535, 0, 1}; !equal(seqs, want) {
			t.Errorf("sequences %v, want %v", seqs, want)
		}
		if s := e.Stats(); s.Received != 4 || s.Duplicates != 0 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// A slot reused 65,536 probes later: a reply for the old probe is stale.
func TestLookupAcrossWrap(t *testing.T) {
	e, err := New(icmptest.NewConn(nil, nil), 7, []netip.Addr{target1}, &Config{Token: &testTok})
	if err != nil {
		t.Fatal(err)
	}
	e.ring[5] = slot{probe: 65536 + 5, state: slotReplied}
	old := AppendRequest(nil, 7, 5, testTok, 5, 56)
	f, _ := parseEcho(icmptest.EchoReply(old), &testTok)
	if e.lookup(&e.socks[0], f) != nil {
		t.Error("a reply from the previous wrap matched the reused slot")
	}
	cur := AppendRequest(nil, 7, 5, testTok, 65536+5, 56)
	f, _ = parseEcho(icmptest.EchoReply(cur), &testTok)
	if e.lookup(&e.socks[0], f) != &e.ring[5] {
		t.Error("the current probe's reply did not match")
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEchoICMPErrors(t *testing.T) {
	cases := []struct {
		name     string
		quoteLen int
		dst      netip.Addr // quoted destination
		id       uint16     // quoted identifier
		matched  bool
	}{
		{"full quote", -1, target1, 7, true},
		{"8-byte quote", 8, target1, 7, true},
		{"other identifier", -1, target1, 8, false},
		{"other destination", 8, netip.MustParseAddr("127.0.0.9"), 7, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
					q := append([]byte(nil), b...)
					q[4], q[5] = byte(tc.id>>8), byte(tc.id)
					m := icmptest.ErrorFor(icmp.TypeTimeExceeded, 0, self, tc.dst, q, tc.quoteLen)
					return []icmptest.Delivery{{After: 2 * time.Millisecond, Msg: icmp.Message{Data: m, Src: router, TTL: 63}}}
				}, nil)
				cfg := &Config{Count: 1, Timeout: time.Second, Token: &testTok}
				rec := &recorder{}
				cfg.Handler = rec.handle
				e, err := New(c, 7, []netip.Addr{target1}, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				s := e.Stats()
				errs := rec.kinds(EventError)
				if !tc.matched {
					if s.Errors != 0 || len(errs) != 0 {
						t.Fatalf("unmatched error counted: %+v", s)
					}
					return
				}
				if s.Errors != 1 || s.Lost != 1 || s.Received != 0 || len(errs) != 1 {
					t.Fatalf("stats %+v, %d error events", s, len(errs))
				}
				ev := errs[0]
				if ev.From != router || ev.Seq != 1 || ev.ICMP.Type != icmp.TypeTimeExceeded || ev.ICMP.From != router ||
					ev.ICMP.Quote.Dst != target1 || ev.RTT != 2*time.Millisecond {
					t.Errorf("event %+v", ev)
				}
			})
		})
	}
}
