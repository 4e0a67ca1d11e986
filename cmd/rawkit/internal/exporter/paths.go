package exporter

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"
)

// A pathTarget is one entry of paths: being monitored: its series and
// the goroutine running its monitor.
type pathTarget struct {
	e    pathEntry
	addr netip.Addr // invalid while a name never resolved
	s    *pathSeries
	// mon and openErr are the monitor opened before the target started
	// (before the privilege drop, or by apply); the goroutine owns mon
	// from then on.
	mon     PathMonitor
	openErr error
	cancel  context.CancelFunc
	done    chan struct{}
	failed  atomic.Bool // not monitored now (see stderr)
}

// Backoff between attempts at a path target whose monitor failed.
const (
	pathRetryMin = time.Second
	pathRetryMax = time.Minute
)

// applyPaths makes the running path targets those of pents, as apply
// does for the echo targets: staying ones keep their series (a change
// of interval, timeout, max_ttl, flows or port restarts the monitor
// only), removed ones stop and lose theirs, new ones start, from pre
// when they were opened before the privilege drop. Called with ts.mu.
func (ts *targetSet) applyPaths(pents []pathEntry, pre *preopened) {
	keep := make(map[string]bool, len(pents))
	for _, e := range pents {
		k := e.key()
		keep[k] = true
		addr := e.addr
		if e.name != "" {
			addr = ts.names[e.name]
		}
		pt := ts.paths[k]
		if pt == nil {
			if p := pre.take(k, addr); p != nil {
				pt = p
			} else {
				pt = &pathTarget{e: e, addr: addr}
			}
			ts.paths[k] = pt
			ts.startPath(pt)
			continue
		}
		old := pt.e.set
		pt.e = e
		switch {
		case addr != pt.addr:
			ts.movePath(pt, addr)
		case !samePath(old, e.set):
			ts.stopPath(pt, false)
			ts.startPath(pt)
		}
	}
	for k, pt := range ts.paths {
		if !keep[k] {
			ts.stopPath(pt, true)
			delete(ts.paths, k)
		}
	}
	pre.close() // what the configuration no longer has
}

// take hands over the target opened for key at addr, if any.
func (p *preopened) take(key string, addr netip.Addr) *pathTarget {
	if p == nil {
		return nil
	}
	pt := p.targets[key]
	if pt == nil || pt.addr != addr {
		return nil
	}
	delete(p.targets, key)
	return pt
}

// startPath makes pt's series if it has none, opens its monitor if not
// open, and runs it until stopPath.
func (ts *targetSet) startPath(pt *pathTarget) {
	if !pt.addr.IsValid() {
		return
	}
	if pt.s == nil {
		pt.s = newPathSeriesFor(&pt.e, pt.addr, ts.cfg)
	}
	ts.pathSet.add(pt.s)
	if pt.mon == nil && pt.openErr == nil {
		pt.mon, pt.openErr = ts.openPath(&pt.e, pt.addr, pt.s)
	}
	ctx, cancel := context.WithCancel(ts.ctx)
	pt.cancel, pt.done = cancel, make(chan struct{})
	pt.failed.Store(pt.mon == nil)
	mon, err := pt.mon, pt.openErr
	pt.mon, pt.openErr = nil, nil
	// The goroutine reads its own copies: a reload rewrites pt.e while
	// it runs, and stops it before changing the address or series.
	run := pathRun{e: pt.e, addr: pt.addr, s: pt.s, failed: &pt.failed}
	ts.wg.Go(func() {
		defer close(pt.done)
		ts.runPath(ctx, run, mon, err)
	})
}

// pathRun is what a path target's goroutine works with.
type pathRun struct {
	e      pathEntry
	addr   netip.Addr
	s      *pathSeries
	failed *atomic.Bool
}

// runPath runs pt's monitor until ctx ends. A failed send does not
// stop it (counted in rawkit_path_send_errors_total, the rounds go on on
// the same sockets); a monitor that cannot be opened, or stops on
// another error, is opened again after a growing pause (after the
// privilege drop, so on ping or UDP sockets), said once on stderr
// until it runs again.
func (ts *targetSet) runPath(ctx context.Context, pt pathRun, mon PathMonitor, err error) {
	wait := pathRetryMin
	told := false
	for {
		if mon == nil && err == nil {
			mon, err = ts.openPath(&pt.e, pt.addr, pt.s)
		}
		if mon != nil {
			pt.failed.Store(false)
			told = false
			pt.s.begin()
			_, err = mon.Run(ctx)
			mon.Close()
			mon = nil
			if ctx.Err() != nil {
				return
			}
			wait = pathRetryMin
		}
		pt.failed.Store(true)
		if !told {
			fmt.Fprintf(ts.log, "rawkit exporter: %s:%d: path target %q (%v) not monitored: %v; trying again\n", pt.e.file, pt.e.line, pt.e.target, pt.addr, err)
			told = true
		}
		err = nil
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, pathRetryMax)
	}
}

// stopPath stops pt's monitor and waits for it; drop removes its
// series too.
func (ts *targetSet) stopPath(pt *pathTarget, drop bool) {
	if pt.cancel != nil {
		pt.cancel()
		<-pt.done
		pt.cancel = nil
	}
	if pt.mon != nil {
		pt.mon.Close()
		pt.mon = nil
	}
	pt.openErr = nil
	if drop && pt.s != nil {
		ts.pathSet.remove(pt.s)
		pt.s = nil
	}
}

// movePath points pt at a new address: its series end and new ones
// start under the new ip label, as for echo targets.
func (ts *targetSet) movePath(pt *pathTarget, a netip.Addr) {
	if pt.addr.IsValid() {
		ts.self.addrChanges.WithLabelValues(pt.e.target).Inc()
		ts.labelled[pt.e.target] = true
	}
	ts.stopPath(pt, true)
	pt.addr = a
	ts.startPath(pt)
}

// stopAllPaths stops every path target (the exporter's end).
func (ts *targetSet) stopAllPaths() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, pt := range ts.paths {
		ts.stopPath(pt, false)
	}
}

// countPathsLocked sets rawkit_exporter_path_targets.
func (ts *targetSet) countPathsLocked() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.countPaths()
}

// pathNames lists the names of pents.
func pathNames(pents []pathEntry) []string {
	var out []string
	for _, e := range pents {
		if e.name != "" {
			out = append(out, e.name)
		}
	}
	return out
}

func (ts *targetSet) countPaths() {
	n := map[string]int{}
	for _, pt := range ts.paths {
		switch {
		case !pt.addr.IsValid():
			n[stateUnresolved]++
		case pt.failed.Load():
			n[stateFailed]++
		default:
			n[stateProbed]++
		}
	}
	for _, s := range []string{stateProbed, stateUnresolved, stateFailed} {
		ts.self.pathTargets.WithLabelValues(s).Set(float64(n[s]))
	}
}
