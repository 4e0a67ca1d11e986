package mtr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/record"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/target"
	"github.com/rawkit/rawkit/icmp/trace"
	"github.com/rawkit/rawkit/raw"
)

// run is one live invocation: every target's monitor, its outputs.
type run struct {
	env         *Env
	o           *opts
	sio         *cli.Stdio
	out         *bufio.Writer
	localHost   string
	dsts        []netip.Addr
	mons        []Monitor
	mu          sync.Mutex // the stream and the raw writer
	st          *stream
	raws        []*rawWriter
	paths       []map[[2]int]netip.Addr // per target: (flow, ttl) → responder
	names       *names
	mode        string
	closeRecord io.WriteCloser
	updated     chan struct{} // the screen's Session.Updated
}

func (env *Env) live(ctx context.Context, sio *cli.Stdio, o *opts) int {
	r := &run{env: env, o: o, sio: sio, out: bufio.NewWriter(sio.Out), mode: "raw", updated: make(chan struct{}, 1)}
	defer r.out.Flush()
	r.localHost, _ = env.Hostname()
	for _, h := range o.hosts {
		dst, _, err := target.Lookup(ctx, env.Resolver, h, o.family)
		if err != nil {
			return cli.Failf(sio, "mtr", "%v", err)
		}
		if s := o.cfg.Source; s.IsValid() && target.IPv(s) != target.IPv(dst) {
			return cli.Failf(sio, "mtr", "bad source address %q: not IPv%d, as %s is", s, target.IPv(dst), dst)
		}
		r.dsts = append(r.dsts, dst)
	}
	if o.mode == modeDefault && o.cfg.Count == 0 && !env.IsTerminal(sio) {
		o.cfg.Count = 10 // no screen: the -r report, of mtr's report cycles
	}
	var limiter *trace.Limiter
	if o.rate > 0 {
		limiter = trace.NewLimiter(o.rate)
	}
	defer func() {
		for _, m := range r.mons {
			m.Close()
		}
	}()
	for i, dst := range r.dsts {
		cfg := o.cfg
		cfg.Target, cfg.Limiter = o.hosts[i], limiter
		i := i
		cfg.Probe = func(p trace.MonitorProbe) { r.probe(i, p) }
		cfg.Round = func(n int, at time.Time) { r.round(i, n, at) }
		m, err := r.open(dst, &cfg)
		if err != nil {
			return failMonitor(sio, err)
		}
		r.mons = append(r.mons, m)
		r.paths = append(r.paths, map[[2]int]netip.Addr{})
	}
	// A drop that cannot be completed stops mtr before any probe (fail
	// closed); a build that cannot drop at all runs on.
	if err := env.DropPrivileges(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, raw.ErrNotImplemented) {
		return cli.Failf(sio, "mtr", "%v", err)
	}
	if code := r.openStreams(); code != cli.ExitOK {
		return code
	}
	if !o.numeric {
		r.names = newNames(env.Resolver, 8)
		defer r.names.stop()
	}
	return r.runAll(ctx)
}

// open opens target dst's monitor: raw sockets, or, without the
// privilege for them, ping sockets (ICMP) or UDP sockets reading their
// error queue (TCP needs raw sockets), saying so on standard error once.
func (r *run) open(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error) {
	if r.mode == "unprivileged" {
		return r.env.NewPingMonitor(dst, cfg)
	}
	m, err := r.env.NewMonitor(dst, cfg)
	if err == nil || !errors.Is(err, os.ErrPermission) || len(r.mons) > 0 {
		return m, err
	}
	if cfg.Method == trace.MethodTCP {
		return nil, fmt.Errorf("tcp probes need CAP_NET_RAW (unprivileged mode probes with ICMP or UDP): %w", err)
	}
	m, perr := r.env.NewPingMonitor(dst, cfg)
	if perr != nil {
		return nil, fmt.Errorf("%w; unprivileged ping sockets: %v", err, perr)
	}
	r.mode = "unprivileged"
	how := "ICMP echo on ping sockets"
	if cfg.Method == trace.MethodUDP {
		how = "UDP sockets"
	}
	fmt.Fprintf(r.sio.Err, "rawkit mtr: no CAP_NET_RAW: unprivileged mode, %s, time exceeded read from their error queue\n", how)
	return m, nil
}

// openStreams sets up --jsonl (stdout), --record (a file) and -l.
func (r *run) openStreams() int {
	r.st = &stream{}
	if r.o.mode == modeJSONL {
		r.st.ws = append(r.st.ws, r.out)
	}
	if r.o.record != "" {
		f, err := r.env.Create(r.o.record)
		if err != nil {
			return cli.Failf(r.sio, "mtr", "--record: %v", err)
		}
		r.st.ws = append(r.st.ws, bufio.NewWriter(f))
		r.closeRecord = f
	}
	for i := range r.dsts {
		c := r.o.cfg.Count
		r.st.emit(event{Type: "start", Schema: streamSchema, Target: i, Host: r.o.hosts[i], Dst: r.dsts[i].String(),
			Method: r.o.cfg.Method.String(), Flows: max(r.o.cfg.Flows, 1), FirstTTL: max(r.o.cfg.FirstTTL, 1),
			MaxTTL: maxTTL(r.o), TOS: record.Ptr(r.o.cfg.TOS), PSize: r.o.cfg.Length, Count: &c,
			IntervalMs: record.Ms(interval(r.o)), LocalHost: r.localHost, Mode: r.mode, Time: rfc3339(time.Now())})
		if r.o.mode == modeRaw {
			var res func(trace.MonitorProbe) string
			if !r.o.numeric {
				res = func(p trace.MonitorProbe) string { return r.names.get(p.From) }
			}
			r.raws = append(r.raws, newRawWriter(r.out, r.o, res))
		}
	}
	return cli.ExitOK
}

func maxTTL(o *opts) int {
	if o.cfg.MaxTTL == 0 {
		return trace.DefaultMaxTTL
	}
	return o.cfg.MaxTTL
}

func interval(o *opts) time.Duration {
	if o.cfg.Interval == 0 {
		return trace.DefaultInterval
	}
	return o.cfg.Interval
}

// probe records a settled probe: the stream, path changes, -l.
func (r *run) probe(i int, p trace.MonitorProbe) {
	defer r.changed()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.emit(probeEvent(i, p))
	if p.Answered {
		k := [2]int{p.Flow, p.TTL}
		if old, ok := r.paths[i][k]; ok && old != p.From {
			r.st.emit(event{Type: "path_change", Target: i, Round: p.Round, Flow: record.Ptr(p.Flow), TTL: p.TTL,
				From: old.String(), To: p.From.String()})
		}
		r.paths[i][k] = p.From
	}
	if r.raws != nil {
		r.raws[i].probe(p)
		r.out.Flush()
	}
	if r.o.mode == modeJSONL {
		r.out.Flush()
	}
}

func (r *run) round(i, n int, at time.Time) {
	defer r.changed()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.emit(event{Type: "round", Target: i, Round: int64(n), Time: rfc3339(at)})
}

// runAll runs every monitor at once and prints each target's report in
// order as soon as it and those before it are done.
func (r *run) runAll(ctx context.Context) int {
	type result struct {
		snap trace.MonitorSnapshot
		err  error
	}
	done := make([]chan result, len(r.mons))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, m := range r.mons {
		done[i] = make(chan result, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, err := m.Run(rctx)
			done[i] <- result{snap, err}
		}()
	}
	if r.interactive() {
		return r.screen(rctx, cancel, func(i int) error { return (<-done[i]).err })
	}
	code := cli.ExitOK
	for i := range r.mons {
		res := <-done[i]
		if res.err != nil && !errors.Is(res.err, context.Canceled) {
			r.out.Flush()
			return cli.Failf(r.sio, "mtr", "%v", res.err)
		}
		if !res.snap.Reached {
			code = cli.ExitNoReply
		}
		rep := &report{o: r.o, target: r.o.hosts[i], snap: res.snap, localHost: r.localHost, psize: r.o.cfg.Length}
		rep.names = r.lookupAll(ctx, &res.snap)
		r.mu.Lock()
		r.finish(i, rep)
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.st.emit(event{Type: "end", Time: rfc3339(time.Now())})
	err := r.st.flush()
	r.mu.Unlock()
	if r.closeRecord != nil {
		if cerr := r.closeRecord.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return cli.Failf(r.sio, "mtr", "--record: %v", err)
	}
	return code
}

// finish prints target i's report and its summary event.
func (r *run) finish(i int, rep *report) {
	named := map[string]string{}
	for a, n := range rep.names {
		named[a.String()] = n
	}
	r.st.emit(event{Type: "summary", Target: i, Summary: rep.doc(r.mode), Names: named})
	writeReport(r.out, rep, r.o.mode, r.mode)
	r.out.Flush()
}

// writeReport prints a finished report in mode m.
func writeReport(w io.Writer, rep *report, m mode, how string) {
	switch m {
	case modeReport, modeDefault:
		rep.writeText(w, false)
	case modeWide:
		rep.writeText(w, true)
	case modeMtrJSON:
		rep.writeMtrJSON(w)
	case modeCSV:
		rep.writeCSV(w)
	case modeXML:
		rep.writeXML(w)
	case modeJSON:
		rep.writeJSON(w, how)
	}
}

// lookupAll returns the names of every responder of snap (none with -n).
func (r *run) lookupAll(ctx context.Context, snap *trace.MonitorSnapshot) map[netip.Addr]string {
	if r.names == nil {
		return nil
	}
	var addrs []netip.Addr
	for _, h := range snap.Hops {
		addrs = append(addrs, h.FirstSeen...)
	}
	return r.names.all(ctx, addrs, 2*time.Second)
}

// session is the Session a screen drives.
type session struct{ r *run }

func (s *session) Snapshots() []trace.MonitorSnapshot {
	out := make([]trace.MonitorSnapshot, len(s.r.mons))
	for i, m := range s.r.mons {
		out[i] = m.Snapshot()
	}
	return out
}

func (s *session) SetPaused(p bool) {
	for _, m := range s.r.mons {
		m.SetPaused(p)
	}
}

func (s *session) Reset() {
	for _, m := range s.r.mons {
		m.Reset()
	}
}

func (s *session) Name(a netip.Addr) string {
	if s.r.names == nil {
		return ""
	}
	return s.r.names.get(a)
}

func (s *session) Options() ScreenOptions {
	o := s.r.o
	return ScreenOptions{Numeric: o.numeric, ShowIPs: o.showIPs, MPLS: o.mpls, Fields: o.fields, Mode: s.r.mode}
}
