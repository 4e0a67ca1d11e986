package exporter

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rawkit/rawkit/icmp/trace"
)

// PathMonitor is what the exporter needs of the path monitor
// (trace.Monitor, as rawkit mtr runs it): one per path target, with its
// own sockets. Tests pass a fake through Env.NewPathMonitor.
type PathMonitor interface {
	// Run probes round after round until ctx ends or a send fails,
	// calling the configuration's ProbeSent, Probe and Round.
	Run(ctx context.Context) (trace.MonitorSnapshot, error)
	Close() error
	// Unprivileged reports ping or UDP sockets instead of raw ones.
	Unprivileged() bool
}

func newTracePathMonitor(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error) {
	m, err := trace.NewMonitor(dst, cfg)
	if err != nil {
		return nil, err // not a nil *trace.Monitor in a non-nil PathMonitor
	}
	return m, nil
}

func newTracePingMonitor(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error) {
	m, err := trace.NewPingMonitor(dst, cfg)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// errPathNeedsRaw is a TCP path target without CAP_NET_RAW.
var errPathNeedsRaw = errors.New("tcp probes need CAP_NET_RAW (without it path targets are monitored with icmp or udp, on ping and UDP sockets)")

// openPath opens the monitor of e at addr, counting into s: raw
// sockets, or, without the privilege for them (never had, or dropped
// after the start), ping sockets for ICMP and UDP sockets reading their
// error queue for UDP, as rawkit mtr does.
func (env *Env) openPath(e *pathEntry, addr netip.Addr, s *pathSeries) (PathMonitor, error) {
	cfg := e.monitorConfig()
	cfg.ProbeSent, cfg.Probe, cfg.SendError = s.sent, s.settled, s.sendError
	cfg.Round = func(n int, _ time.Time) { s.round(n) }
	m, err := env.NewPathMonitor(addr, cfg)
	if err == nil || !errors.Is(err, os.ErrPermission) {
		return m, err
	}
	if e.set.Method == trace.MethodTCP {
		return nil, errPathNeedsRaw
	}
	m, perr := env.NewPingPathMonitor(addr, cfg)
	if perr != nil {
		return nil, fmt.Errorf("%w; unprivileged sockets: %v", err, perr)
	}
	return m, nil
}

// newPathSeriesFor makes the series of path target e at addr.
func newPathSeriesFor(e *pathEntry, addr netip.Addr, cfg *Config) *pathSeries {
	l := prometheus.Labels{}
	maps.Copy(l, e.set.Labels)
	l["target"], l["ip"], l["method"] = e.target, addr.String(), e.set.Method.String()
	return newPathSeries(l, cfg, e.set.MaxTTL)
}

// preopened are the path targets whose monitors were opened before the
// privilege drop, and the lookups of their names.
type preopened struct {
	targets map[string]*pathTarget
	lookups map[string]lookup
	note    string // for the first line on stderr
}

// openPaths resolves the path targets' names and opens their monitors,
// before the privileges are dropped. A TCP path target without
// CAP_NET_RAW is an error (the caller stops with status 2); other
// failures are left to the targets (reported, retried).
func (env *Env) openPaths(ctx context.Context, cfg *Config, pents []pathEntry) (*preopened, error) {
	p := &preopened{targets: map[string]*pathTarget{}}
	names := pathNames(pents)
	slices.Sort(names)
	p.lookups = resolveAll(ctx, env.Resolver, slices.Compact(names))
	raw, unpriv := 0, 0
	for i := range pents {
		e := &pents[i]
		addr := e.addr
		if e.name != "" {
			addr = p.lookups[e.name].addr
		}
		if !addr.IsValid() {
			continue
		}
		pt := &pathTarget{e: *e, addr: addr, s: newPathSeriesFor(e, addr, cfg)}
		m, err := env.openPath(e, addr, pt.s)
		if errors.Is(err, errPathNeedsRaw) {
			p.close()
			return nil, &posError{file: e.file, line: e.line, msg: fmt.Sprintf("path target %q: %v", e.target, err)}
		}
		pt.mon, pt.openErr = m, err
		if m != nil && m.Unprivileged() {
			unpriv++
		} else if m != nil {
			raw++
		}
		p.targets[e.key()] = pt
	}
	switch {
	case unpriv > 0:
		p.note = "; path targets on ping and UDP sockets (no CAP_NET_RAW)"
	case raw > 0:
		p.note = "; path targets on raw sockets"
	}
	return p, nil
}

// close closes the monitors never started.
func (p *preopened) close() {
	if p == nil {
		return
	}
	for _, pt := range p.targets {
		if pt.mon != nil {
			pt.mon.Close()
			pt.mon = nil
		}
	}
}
