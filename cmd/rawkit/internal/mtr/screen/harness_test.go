package screen

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// fakeMonitor serves snapshots the test sets and records the commands
// the screen sends.
type fakeMonitor struct {
	mu      sync.Mutex
	snaps   []trace.MonitorSnapshot
	calls   []string
	updated chan struct{}
}

func newFakeMonitor(snaps ...trace.MonitorSnapshot) *fakeMonitor {
	return &fakeMonitor{snaps: snaps, updated: make(chan struct{}, 1)}
}

func (f *fakeMonitor) Snapshots() []trace.MonitorSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.snaps)
}

func (f *fakeMonitor) Updated() <-chan struct{} { return f.updated }

func (f *fakeMonitor) set(snaps ...trace.MonitorSnapshot) {
	f.mu.Lock()
	f.snaps = snaps
	f.mu.Unlock()
	select {
	case f.updated <- struct{}{}:
	default:
	}
}

func (f *fakeMonitor) record(c string) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *fakeMonitor) Pause(p bool)   { f.record(fmt.Sprintf("pause %v", p)) }
func (f *fakeMonitor) Reset()         { f.record("reset") }
func (f *fakeMonitor) SetDNS(on bool) { f.record(fmt.Sprintf("dns %v", on)) }

func (f *fakeMonitor) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// simScreen is tcell's simulation screen of a given size that keeps the
// text of every frame shown. Show runs on Run's goroutine, so reading
// the cells there is free of races with the drawing.
type simScreen struct {
	tcell.SimulationScreen
	w, h int

	mu     sync.Mutex
	frame  string
	frames int
	shown  chan struct{}
}

func (s *simScreen) Init() error {
	if err := s.SimulationScreen.Init(); err != nil {
		return err
	}
	s.SetSize(s.w, s.h)
	return nil
}

func (s *simScreen) Show() {
	s.SimulationScreen.Show()
	cells, w, h := s.GetContents()
	var b strings.Builder
	for y := range h {
		var row strings.Builder
		for x := range w {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				row.WriteByte(' ')
			} else {
				row.WriteString(string(c.Runes))
			}
		}
		b.WriteString(strings.TrimRight(row.String(), " "))
		b.WriteByte('\n')
	}
	s.mu.Lock()
	s.frame = b.String()
	s.frames++
	s.mu.Unlock()
	select {
	case s.shown <- struct{}{}:
	default:
	}
}

func (s *simScreen) last() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frame, s.frames
}

// run is one screen under test.
type run struct {
	t    *testing.T
	scr  *simScreen
	mon  *fakeMonitor
	done chan error
	stop context.CancelFunc
}

// testNow is the header's clock in the tests.
var testNow = time.Date(2026, 12, 7, 20, 30, 0, 0, time.FixedZone("", 0))

func start(t *testing.T, w, h int, mon *fakeMonitor, cfg *Config) *run {
	t.Helper()
	if cfg == nil {
		cfg = &Config{Hostname: "myhost", Version: "v-test"}
	}
	cfg.Now = func() time.Time { return testNow }
	scr := &simScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), w: w, h: h, shown: make(chan struct{}, 1)}
	ctx, stop := context.WithCancel(context.Background())
	r := &run{t: t, scr: scr, mon: mon, done: make(chan error, 1), stop: stop}
	go func() { r.done <- Run(ctx, scr, mon, cfg) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return r
}

// waitFor returns the first frame for which ok holds, failing the test
// after 10 s (slow machines) with the last frame seen.
func (r *run) waitFor(what string, ok func(frame string) bool) string {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if f, _ := r.scr.last(); ok(f) {
			return f
		}
		select {
		case <-r.scr.shown:
		case <-deadline:
			f, _ := r.scr.last()
			r.t.Fatalf("no frame with %s; last frame:\n%s", what, f)
		}
	}
}

// waitText waits for a frame holding every one of texts.
func (r *run) waitText(texts ...string) string {
	r.t.Helper()
	return r.waitFor(fmt.Sprintf("%q", texts), func(f string) bool {
		for _, t := range texts {
			if !strings.Contains(f, t) {
				return false
			}
		}
		return true
	})
}

// key presses the keys of s, one rune each.
func (r *run) key(s string) {
	for _, c := range s {
		r.scr.InjectKey(tcell.KeyRune, c, tcell.ModNone)
	}
}

// resize changes the terminal's size as a terminal does: new size, then
// a resize event.
func (r *run) resize(w, h int) {
	r.scr.SetSize(w, h)
	_ = r.scr.PostEvent(tcell.NewEventResize(w, h))
}

// ended waits for Run to return and gives its error.
func (r *run) ended() error {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not return")
		return nil
	}
}

// rowOf returns the frame's row holding s, or "".
func rowOf(frame, s string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func ms2(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// labSnapshot is a four-hop path: a plain hop, an ECMP hop with two
// responders, a silent hop, and the destination behind an MPLS label.
func labSnapshot() trace.MonitorSnapshot {
	resp := func(addr string, recv int, last, best, avg, worst float64) trace.ResponderStats {
		return trace.ResponderStats{Addr: netip.MustParseAddr(addr), Received: recv,
			Last: ms2(last), Best: ms2(best), Avg: ms2(avg), Worst: ms2(worst), StDev: ms2(0.3),
			Jitter: ms2(0.4), JitterAvg: ms2(0.5), JitterMax: ms2(1.5), JitterInt: ms2(0.6), Gmean: ms2(avg - 0.1)}
	}
	hist := func(ds ...float64) []time.Duration {
		var h []time.Duration
		for _, d := range ds {
			h = append(h, ms2(d))
			if d < 0 {
				h[len(h)-1] = -1
			}
		}
		return h
	}
	dst := resp("10.0.3.2", 9, 4.2, 3.9, 4.5, 9.8)
	dst.MPLS = [][]trace.MPLSLabel{{{Label: 16004, TC: 0, S: true, TTL: 1}}}
	dst.Loss = 10
	one := func(h trace.HopStats, r trace.ResponderStats) trace.HopStats {
		h.Responders = []trace.ResponderStats{r}
		h.All, h.Latest, h.FirstSeen = r, r.Addr, []netip.Addr{r.Addr}
		return h
	}
	// The ECMP hop: .2 answered first, .1 most and last; All is over both.
	e1, e2 := resp("10.0.2.1", 5, 2.2, 2.0, 2.3, 3.0), resp("10.0.2.2", 3, 2.7, 2.5, 2.8, 3.5)
	e1.Loss, e2.Loss = 10, 25
	all := resp("10.0.2.1", 8, 2.5, 2.0, 2.5, 3.5)
	all.StDev, all.Loss = ms2(0.4), 20
	return trace.MonitorSnapshot{
		Target: "lab-dst", Dst: netip.MustParseAddr("10.0.3.2"), Method: trace.MethodICMP, Flows: 1, Rounds: 10,
		Hops: []trace.HopStats{
			one(trace.HopStats{TTL: 1, Sent: 10, History: hist(1, 1.2, 2)}, resp("10.0.1.1", 10, 1.2, 1.0, 1.3, 2.0)),
			{TTL: 2, Sent: 10, Lost: 2, InFlight: 1, RateLimited: true, Responders: []trace.ResponderStats{e1, e2},
				All: all, Latest: e1.Addr, FirstSeen: []netip.Addr{e2.Addr, e1.Addr},
				History: hist(2, -1, 2.5, 3)},
			{TTL: 3, Sent: 10, Lost: 10, History: hist(-1, -1)},
			one(trace.HopStats{TTL: 4, Sent: 10, Lost: 1, NAT: true, History: hist(4, 9.8, 3.9, -1, 4.2)}, dst),
		},
	}
}
