package main

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/rawkit/rawkit/icmp"
)

// traceNames resolves the responders' names in the background: a lookup
// starts when an address first answers, at most limit at a time, and a
// hop line takes whatever is known when it is printed, so that DNS never
// holds up a hop (an address not resolved yet prints as traceroute
// prints one without a name).
type traceNames struct {
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	names map[netip.Addr]string
	seen  map[netip.Addr]bool
}

func newTraceNames(ctx context.Context, limit int) *traceNames {
	ctx, cancel := context.WithCancel(ctx)
	return &traceNames{ctx: ctx, cancel: cancel, sem: make(chan struct{}, limit),
		names: map[netip.Addr]string{}, seen: map[netip.Addr]bool{}}
}

// start begins the lookup of an answering probe's address.
func (n *traceNames) start(p icmp.ProbeResult) {
	if n == nil || !p.Answered {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[p.From] {
		return
	}
	n.seen[p.From] = true
	n.wg.Add(1)
	go func(a netip.Addr) {
		defer n.wg.Done()
		select {
		case n.sem <- struct{}{}:
		case <-n.ctx.Done():
			return
		}
		defer func() { <-n.sem }()
		names, err := net.DefaultResolver.LookupAddr(n.ctx, a.String())
		if err != nil || len(names) == 0 {
			return
		}
		n.mu.Lock()
		n.names[a] = strings.TrimSuffix(names[0], ".")
		n.mu.Unlock()
	}(p.From)
}

// lookup returns a's name if it is known by now.
func (n *traceNames) lookup(a netip.Addr) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.names[a]
}

// stop abandons the lookups still running and waits for them.
func (n *traceNames) stop() {
	n.cancel()
	n.wg.Wait()
}
