package traceroute

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
)

// traceNames resolves the responders' names in the background: a lookup
// starts when an address first answers, at most limit at a time, so it
// usually ends before the hop's other probes do. A hop line waits for
// its names at most traceNameGrace in all; an address still unresolved
// then prints as traceroute prints one without a name. A slow or dead
// DNS server thus never holds up a hop for long.
type traceNames struct {
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	names map[netip.Addr]string
	seen  map[netip.Addr]chan struct{} // closed when the lookup ends
}

// traceNameGrace bounds how long a hop line waits for names.
const traceNameGrace = 50 * time.Millisecond

func newTraceNames(ctx context.Context, limit int) *traceNames {
	ctx, cancel := context.WithCancel(ctx)
	return &traceNames{ctx: ctx, cancel: cancel, sem: make(chan struct{}, limit),
		names: map[netip.Addr]string{}, seen: map[netip.Addr]chan struct{}{}}
}

// start begins the lookup of an answering probe's address.
func (n *traceNames) start(p trace.ProbeResult) {
	if n == nil || !p.Answered || !p.From.IsValid() { // a local refusal has no responder
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[p.From] != nil {
		return
	}
	done := make(chan struct{})
	n.seen[p.From] = done
	n.wg.Add(1)
	go func(a netip.Addr) {
		defer n.wg.Done()
		defer close(done)
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

// wait waits, at most traceNameGrace in all, for the lookups of a hop's
// responders.
func (n *traceNames) wait(h trace.Hop) {
	if n == nil {
		return
	}
	timer := time.NewTimer(traceNameGrace)
	defer timer.Stop()
	for _, p := range h.Probes {
		n.mu.Lock()
		done := n.seen[p.From]
		n.mu.Unlock()
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-timer.C:
			return
		}
	}
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
