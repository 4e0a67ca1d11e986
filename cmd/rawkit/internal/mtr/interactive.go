package mtr

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/mtr/screen"
	"github.com/rawkit/rawkit/icmp/trace"
)

// interactive is Env.Screen's default: package screen's display, mtr's
// curses one, on the terminal (Env.Terminal).
func (env *Env) interactive(ctx context.Context, _ *cli.Stdio, s Session) error {
	newScreen := env.Terminal
	if newScreen == nil {
		newScreen = tcell.NewScreen
	}
	scr, err := newScreen()
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	o := s.Options()
	host := o.LocalHost
	if host == "" {
		host, _ = env.Hostname()
	}
	mon := &screenMonitor{s: s}
	mon.dns.Store(!o.Numeric)
	return screen.Run(ctx, scr, mon, &screen.Config{
		Hostname: host, Fields: o.Fields, NoDNS: o.Numeric, ShowIPs: o.ShowIPs, MPLS: o.MPLS, Mode: o.Mode,
	})
}

// screenMonitor is a Session as package screen drives it: snapshots
// with the names the session has found, the session's keys.
type screenMonitor struct {
	s   Session
	dns atomic.Bool
}

func (m *screenMonitor) Snapshots() []trace.MonitorSnapshot {
	snaps := m.s.Snapshots()
	if !m.dns.Load() {
		return snaps
	}
	for i := range snaps {
		for j := range snaps[i].Hops {
			h := &snaps[i].Hops[j]
			for k := range h.Responders {
				h.Responders[k].Name = m.s.Name(h.Responders[k].Addr)
			}
		}
	}
	return snaps
}

func (m *screenMonitor) Updated() <-chan struct{} { return m.s.Updated() }
func (m *screenMonitor) Pause(p bool)             { m.s.SetPaused(p) }
func (m *screenMonitor) Reset()                   { m.s.Reset() }

// SetDNS shows names or addresses; with -n there are no names to show.
func (m *screenMonitor) SetDNS(on bool) { m.dns.Store(on) }

// interactive reports whether this run shows the screen: no report
// option, a screen, and a terminal on standard output (else the -r
// report is printed, as the usage says).
func (r *run) interactive() bool {
	return r.o.mode == modeDefault && r.env.Screen != nil && r.env.IsTerminal(r.sio)
}

// changed tells the screen that the snapshots changed; it never blocks.
func (r *run) changed() {
	select {
	case r.updated <- struct{}{}:
	default:
	}
}

// screen shows the screen until the user quits, every monitor has done
// its -c rounds (as mtr's display ends), or one fails; it stops the
// monitors (cancel) before it returns. ended(i) waits for monitor i's
// end and gives its error.
func (r *run) screen(ctx context.Context, cancel context.CancelFunc, ended func(i int) error) int {
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed error
		left   = len(r.mons)
	)
	for i := range r.mons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := ended(i)
			mu.Lock()
			defer mu.Unlock()
			if left--; err != nil && !errors.Is(err, context.Canceled) && failed == nil {
				failed = err
			}
			if failed != nil || left == 0 {
				stop()
			}
		}()
	}
	err := r.env.Screen(sctx, r.sio, &session{r: r})
	cancel()
	wg.Wait()
	// The terminal is restored by now: the errors print on it.
	if err != nil {
		return cli.Failf(r.sio, "mtr", "%v", err)
	}
	if failed != nil {
		return cli.Failf(r.sio, "mtr", "%v", failed)
	}
	return cli.ExitOK
}

// Updated delivers a value after a probe settled or a round ended.
func (s *session) Updated() <-chan struct{} { return s.r.updated }

// snapshot is a replayed target's statistics, started when the
// recording's summary says it started.
func (t *replayed) snapshot() trace.MonitorSnapshot {
	snap := t.stats.Snapshot()
	if t.sum != nil {
		if st, err := time.Parse(time.RFC3339Nano, t.sum.Start); err == nil {
			snap.Started = st
		}
	}
	return snap
}

// replayScreen shows a recording's final statistics on the screen, the
// screen the live run showed when it ended.
func (env *Env) replayScreen(ctx context.Context, sio *cli.Stdio, o *opts, targets []*replayed) int {
	rs := &replaySession{names: map[netip.Addr]string{}}
	how, host := "replay", ""
	for _, t := range targets {
		rs.snaps = append(rs.snaps, t.snapshot())
		if !o.numeric {
			maps.Copy(rs.names, t.names)
		}
		how, host = "replay, "+t.start.Mode, t.start.LocalHost
	}
	rs.opts = ScreenOptions{Numeric: o.numeric, ShowIPs: o.showIPs, MPLS: o.mpls, Fields: o.fields, Mode: how, LocalHost: host}
	if err := env.Screen(ctx, sio, rs); err != nil {
		return cli.Failf(sio, "mtr", "%v", err)
	}
	return cli.ExitOK
}

// replaySession is a recording as a Session: its final snapshots and the
// names it recorded. Nothing runs, so pause and reset change nothing and
// Updated never fires.
type replaySession struct {
	snaps []trace.MonitorSnapshot
	names map[netip.Addr]string
	opts  ScreenOptions
}

// Snapshots copies the responders, which the screen names in place.
func (r *replaySession) Snapshots() []trace.MonitorSnapshot {
	out := slices.Clone(r.snaps)
	for i := range out {
		out[i].Hops = slices.Clone(out[i].Hops)
		for j := range out[i].Hops {
			out[i].Hops[j].Responders = slices.Clone(out[i].Hops[j].Responders)
		}
	}
	return out
}

func (r *replaySession) SetPaused(bool)           {}
func (r *replaySession) Reset()                   {}
func (r *replaySession) Name(a netip.Addr) string { return r.names[a] }
func (r *replaySession) Options() ScreenOptions   { return r.opts }
func (r *replaySession) Updated() <-chan struct{} { return nil }
