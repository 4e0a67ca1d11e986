package mtr

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// names looks up responders' reverse DNS names, at most par at once,
// each once, and caches what it found (bounded: a path has few
// responders, and the cache stops growing at maxNames).
type names struct {
	r     *net.Resolver
	sem   chan struct{}
	ctx   context.Context
	stop  context.CancelFunc
	mu    sync.Mutex
	cache map[netip.Addr]*nameEntry
}

type nameEntry struct {
	done chan struct{}
	name string
}

const maxNames = 4096

func newNames(r *net.Resolver, par int) *names {
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &names{r: r, sem: make(chan struct{}, par), ctx: ctx, stop: cancel, cache: map[netip.Addr]*nameEntry{}}
}

// start begins a's lookup unless it was begun; nil when the cache is
// full.
func (n *names) start(a netip.Addr) *nameEntry {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, ok := n.cache[a]; ok {
		return e
	}
	if len(n.cache) >= maxNames {
		return nil
	}
	e := &nameEntry{done: make(chan struct{})}
	n.cache[a] = e
	go func() {
		defer close(e.done)
		select {
		case n.sem <- struct{}{}:
		case <-n.ctx.Done():
			return
		}
		defer func() { <-n.sem }()
		ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
		defer cancel()
		if ns, err := n.r.LookupAddr(ctx, a.String()); err == nil && len(ns) > 0 {
			e.name = strings.TrimSuffix(ns[0], ".")
		}
	}()
	return e
}

// get returns a's name if known now, starting its lookup.
func (n *names) get(a netip.Addr) string {
	e := n.start(a)
	if e == nil {
		return ""
	}
	select {
	case <-e.done:
		return e.name
	default:
		return ""
	}
}

// all looks up addrs, waiting at most wait, and returns the names found.
func (n *names) all(ctx context.Context, addrs []netip.Addr, wait time.Duration) map[netip.Addr]string {
	out := map[netip.Addr]string{}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for _, a := range addrs {
		e := n.start(a)
		if e == nil {
			continue
		}
		select {
		case <-e.done:
			if e.name != "" {
				out[a] = e.name
			}
		case <-ctx.Done():
			return out
		}
	}
	return out
}
