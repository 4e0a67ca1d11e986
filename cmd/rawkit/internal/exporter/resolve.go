package exporter

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Resolver looks names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

const (
	lookupTimeout = 5 * time.Second
	lookupWorkers = 8 // lookups at once: a reload of many names must not flood the name server
)

// resolveAll looks names up, lookupWorkers at a time, each within
// lookupTimeout. A name's address is its first IPv4 one, else its first
// IPv6 one, as ping takes it.
func resolveAll(ctx context.Context, r Resolver, names []string) map[string]lookup {
	out := make(map[string]lookup, len(names))
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(lookupWorkers, len(names)) {
		wg.Go(func() {
			for n := range work {
				a, err := resolveOne(ctx, r, n)
				mu.Lock()
				out[n] = lookup{a, err}
				mu.Unlock()
			}
		})
	}
	for _, n := range names {
		select {
		case work <- n:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return out
}

func resolveOne(ctx context.Context, r Resolver, name string) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) > 0 {
		return addrs[0], nil
	}
	return netip.Addr{}, fmt.Errorf("%s: no address", name)
}
