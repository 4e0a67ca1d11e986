package exporter

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
)

// fakePaths stands in for the path engine: each opened monitor is a
// fakePath whose Run plays the rounds a test sends it, calling the
// configuration's callbacks from Run's goroutine as the real one does.
type fakePaths struct {
	mu      sync.Mutex
	opened  []*fakePath
	dropped bool
}

type fakePath struct {
	dst    netip.Addr
	cfg    *trace.MonitorConfig
	unpriv bool
	steps  chan func()
	mu     sync.Mutex
	closed bool
}

// env makes Env's openers: raw monitors while the harness holds its
// privileges, ping-socket ones (TCP refused) after the drop, as the
// kernel would.
func (fp *fakePaths) env(env *Env) {
	drop := env.DropPrivileges
	env.DropPrivileges = func() error {
		fp.mu.Lock()
		fp.dropped = true
		fp.mu.Unlock()
		return drop()
	}
	open := func(dst netip.Addr, cfg *trace.MonitorConfig, unpriv bool) (PathMonitor, error) {
		p := &fakePath{dst: dst, cfg: cfg, unpriv: unpriv, steps: make(chan func())}
		fp.mu.Lock()
		fp.opened = append(fp.opened, p)
		fp.mu.Unlock()
		return p, nil
	}
	env.NewPathMonitor = func(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error) {
		fp.mu.Lock()
		dropped := fp.dropped
		fp.mu.Unlock()
		if dropped {
			return nil, fmt.Errorf("raw socket: %w", os.ErrPermission)
		}
		return open(dst, cfg, false)
	}
	env.NewPingPathMonitor = func(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error) {
		if cfg.Method == trace.MethodTCP {
			return nil, fmt.Errorf("%w: unprivileged probes are ICMP or UDP, not TCP", trace.ErrBadConfig)
		}
		return open(dst, cfg, true)
	}
}

func (p *fakePath) Run(ctx context.Context) (trace.MonitorSnapshot, error) {
	for {
		select {
		case f := <-p.steps:
			f()
		case <-ctx.Done():
			return trace.MonitorSnapshot{}, ctx.Err()
		}
	}
}

func (p *fakePath) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}

func (p *fakePath) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *fakePath) Unprivileged() bool { return p.unpriv }

// monitor waits for the open, unclosed monitor of dst.
func (fp *fakePaths) monitor(t *testing.T, dst string) *fakePath {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		fp.mu.Lock()
		for _, p := range fp.opened {
			if p.dst == netip.MustParseAddr(dst) && !p.isClosed() {
				fp.mu.Unlock()
				return p
			}
		}
		fp.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no monitor of %s opened", dst)
	return nil
}

// hop is one TTL's answer in a played round: who answered ("" nobody),
// and whether it is the destination.
type hop struct {
	from string
	dst  bool
}

// round plays round n of flow 0: a probe sent at each TTL of hops, then
// each answered or lost, then the round's end. It returns once Run's
// goroutine has played it.
func (p *fakePath) round(n int, hops ...hop) {
	p.play(n, 0, hops)
	p.steps <- func() { p.cfg.Round(n, time.Now()) }
	p.settle()
}

// settle returns once Run's goroutine has run every step sent before:
// a send on steps returns when Run has taken the step, before it has run
// it, and Run takes this one only after.
func (p *fakePath) settle() { p.steps <- func() {} }

func (p *fakePath) play(n, flow int, hops []hop) {
	p.steps <- func() {
		for i := range hops {
			p.cfg.ProbeSent(trace.MonitorProbe{Round: int64(n), Flow: flow, TTL: i + 1, Sent: time.Now()})
		}
		for i, h := range hops {
			pr := trace.MonitorProbe{Round: int64(n), Flow: flow, TTL: i + 1, Type: -1, Code: -1, QuotedTOS: -1}
			if h.from != "" {
				pr.Answered, pr.From, pr.RTT = true, netip.MustParseAddr(h.from), time.Duration(i+1)*time.Millisecond
				pr.Reached, pr.Final = h.dst, h.dst
			}
			p.cfg.Probe(pr)
		}
	}
}
