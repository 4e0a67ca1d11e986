package exporter

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// A target is one entry being probed: its series and its engine probe.
type target struct {
	e     entry
	addr  netip.Addr // probed now; invalid while a name never resolved
	s     *series    // nil while not probed
	probe Probe
	err   error // the engine's refusal, if any
}

// targetSet keeps the engine's probes and the registry's series in step
// with the configuration.
type targetSet struct {
	mon     Monitor
	set     *seriesSet // the echo targets' series
	pathSet *pathSet   // the path targets' series
	self    *selfMetrics
	ifAddrs func(string) ([]netip.Addr, error)
	log     io.Writer // stderr: a target the engine refuses is one line there

	// openPath opens a path target's monitor (Env.openPath); ctx is
	// the exporter's, which path monitors run under, wg their
	// goroutines.
	openPath func(e *pathEntry, addr netip.Addr, s *pathSeries) (PathMonitor, error)
	ctx      context.Context
	wg       sync.WaitGroup

	mu      sync.Mutex
	cfg     *Config
	targets map[string]*target     // by entry key
	paths   map[string]*pathTarget // by path entry key
	names   map[string]netip.Addr
	// labelled holds the target labels the exporter's own per-target
	// counters (resolution failures, address changes) have series for,
	// so that those of removed targets go too.
	labelled map[string]bool
}

// lookup is the outcome of resolving one name.
type lookup struct {
	addr netip.Addr
	err  error
}

// apply makes the running targets those of ents: targets that stay keep
// their series untouched (a changed interval, size, ... re-adds the
// engine probe but keeps the counters), removed ones lose their series,
// new ones start; the same for path targets (pents; pre holds those
// opened before the privilege drop). res holds fresh lookups of the
// names.
func (ts *targetSet) apply(cfg *Config, ents []entry, pents []pathEntry, res map[string]lookup, pre *preopened) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.cfg = cfg
	ts.noteLookups(res)
	keep := make(map[string]bool, len(ents))
	for _, e := range ents {
		k := e.key()
		keep[k] = true
		t := ts.targets[k]
		if t == nil {
			t = &target{e: e, addr: e.addr}
			if e.name != "" {
				t.addr = ts.names[e.name]
			}
			ts.targets[k] = t
			ts.start(t)
			continue
		}
		old := t.e.set
		t.e = e
		if e.name != "" && ts.names[e.name] != t.addr {
			ts.move(t, ts.names[e.name])
		} else if !sameProbe(old, e.set) {
			ts.restart(t)
		}
	}
	for k, t := range ts.targets {
		if !keep[k] {
			ts.stop(t)
			delete(ts.targets, k)
		}
	}
	ts.applyPaths(pents, pre)
	// Forget names no target has any more.
	used := map[string]bool{}
	for _, t := range ts.targets {
		used[t.e.name] = true
	}
	for _, pt := range ts.paths {
		used[pt.e.name] = true
		used[pt.e.target] = true
	}
	maps.DeleteFunc(ts.names, func(n string, _ netip.Addr) bool { return !used[n] })
	for l := range ts.labelled {
		if !used[l] {
			ts.self.resolveFailures.DeleteLabelValues(l)
			ts.self.addrChanges.DeleteLabelValues(l)
			delete(ts.labelled, l)
		}
	}
	ts.count()
}

// noteLookups records fresh lookups: a success is the name's address
// from now on, a failure is counted and keeps the last good address.
func (ts *targetSet) noteLookups(res map[string]lookup) {
	for name, r := range res {
		if r.err != nil {
			ts.self.resolveFailures.WithLabelValues(name).Inc()
			ts.labelled[name] = true
			continue
		}
		ts.names[name] = r.addr
	}
}

// resolved applies a periodic re-resolution: targets whose name now
// has another address move to it.
func (ts *targetSet) resolved(res map[string]lookup) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.noteLookups(res)
	for _, t := range ts.targets {
		if a, ok := ts.names[t.e.name]; ok && t.e.name != "" && a != t.addr {
			ts.move(t, a)
		}
	}
	for _, pt := range ts.paths {
		if a, ok := ts.names[pt.e.name]; ok && pt.e.name != "" && a != pt.addr {
			ts.movePath(pt, a)
		}
	}
	ts.count()
}

// nameList returns the names the running targets hold.
func (ts *targetSet) nameList() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []string
	for _, t := range ts.targets {
		if t.e.name != "" {
			out = append(out, t.e.name)
		}
	}
	for _, pt := range ts.paths {
		if pt.e.name != "" {
			out = append(out, pt.e.name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sameProbe reports whether a and b probe alike (labels aside: they
// are part of the key).
func sameProbe(a, b *Settings) bool {
	return a.Interval == b.Interval && a.Timeout == b.Timeout && a.Size == b.Size && a.TOS == b.TOS && a.Source == b.Source
}

// start makes t's series and adds it to the engine, if its address is
// known.
func (ts *targetSet) start(t *target) {
	if !t.addr.IsValid() {
		return
	}
	l := prometheus.Labels{}
	maps.Copy(l, t.e.set.Labels)
	l["target"], l["ip"] = t.e.target, t.addr.String()
	t.s = newSeries(l, ts.cfg)
	ts.set.add(t.s)
	ts.addProbe(t)
}

// addProbe adds t's probe to the engine, with t.s's handler.
func (ts *targetSet) addProbe(t *target) {
	set := t.e.set
	mt := MonitorTarget{Addr: t.addr, Interval: set.Interval, Timeout: set.Timeout, Size: set.Size, TOS: set.TOS, Handler: t.s.handle}
	var err error
	if set.Source != "" {
		mt.Source, err = sourceFor(set.Source, t.addr, ts.ifAddrs)
	}
	if err == nil {
		t.probe, err = ts.mon.Add(mt)
	}
	if err != nil && t.err == nil {
		fmt.Fprintf(ts.log, "rawkit exporter: %s:%d: target %q (%v) not probed: %v\n", t.e.file, t.e.line, t.e.target, t.addr, err)
	}
	t.err = err
}

// sourceFor returns the source address for dst: src itself, or the
// first address of dst's family on interface src.
func sourceFor(src string, dst netip.Addr, ifAddrs func(string) ([]netip.Addr, error)) (netip.Addr, error) {
	if a, err := netip.ParseAddr(src); err == nil {
		if a.Is4() != dst.Is4() {
			return netip.Addr{}, fmt.Errorf("source %v is not of the family of %v", a, dst)
		}
		return a, nil
	}
	addrs, err := ifAddrs(src)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("source %q: %w", src, err)
	}
	for _, a := range addrs {
		if a.Is4() == dst.Is4() && !a.IsLinkLocalUnicast() {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("source %q: no IPv%d address on it", src, map[bool]int{true: 4, false: 6}[dst.Is4()])
}

// restart re-adds t's probe with its new settings; its series stay.
func (ts *targetSet) restart(t *target) {
	if t.s == nil {
		ts.start(t)
		return
	}
	if t.probe != nil {
		t.probe.Remove()
		t.probe = nil
	}
	ts.addProbe(t)
}

// move points t at a new address. Its series end and new ones start
// under the new ip label: the old address's counters describe that
// address, and carrying them over would mix two hosts in one series. The
// probes in flight to the old address end with their probe, uncounted,
// so each series keeps requests = replies + lost + in flight.
func (ts *targetSet) move(t *target, a netip.Addr) {
	if t.addr.IsValid() {
		ts.self.addrChanges.WithLabelValues(t.e.target).Inc()
		ts.labelled[t.e.target] = true
	}
	ts.stop(t)
	t.addr, t.err = a, nil
	ts.start(t)
}

// stop removes t's probe and series.
func (ts *targetSet) stop(t *target) {
	if t.probe != nil {
		t.probe.Remove()
		t.probe = nil
	}
	if t.s != nil {
		ts.set.remove(t.s)
		t.s = nil
	}
}

// count sets rawkit_exporter_targets.
func (ts *targetSet) count() {
	n := map[string]int{}
	for _, t := range ts.targets {
		switch {
		case !t.addr.IsValid():
			n[stateUnresolved]++
		case t.err != nil:
			n[stateFailed]++
		default:
			n[stateProbed]++
		}
	}
	for _, s := range []string{stateProbed, stateUnresolved, stateFailed} {
		ts.self.targets.WithLabelValues(s).Set(float64(n[s]))
	}
}
