package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// maxTargets bounds a run: a /12 of probes is already a lot for one host.
const maxTargets = 1 << 20

// pingTarget is one address to probe and how the user named it.
type pingTarget struct {
	name    string // as given: a host name, an address, or the range it came from
	addr    netip.Addr
	numeric bool // given as an address or range: print addresses, not names
}

// expandTargets turns HOST operands into addresses: an IPv4 address, a
// CIDR range (every host address, without the network and broadcast
// addresses of ranges larger than /31, as fping -g), or a name resolved
// to its first IPv4 address.
func expandTargets(ctx context.Context, hosts []string) ([]pingTarget, error) {
	var out []pingTarget
	for _, h := range hosts {
		switch {
		case strings.Contains(h, "/"):
			p, err := netip.ParsePrefix(h)
			if err != nil || !p.Addr().Is4() {
				return nil, fmt.Errorf("bad CIDR range %q", h)
			}
			p = p.Masked()
			n := 1 << (32 - p.Bits())
			if len(out)+n > maxTargets {
				return nil, fmt.Errorf("range %q has %d addresses: more than %d targets in one run", h, n, maxTargets)
			}
			a, last := p.Addr(), n
			if p.Bits() < 31 {
				a, last = a.Next(), n-2 // skip the network and broadcast addresses
			}
			for i := 0; i < last; i++ {
				out = append(out, pingTarget{name: a.String(), addr: a, numeric: true})
				a = a.Next()
			}
		default:
			if a, err := netip.ParseAddr(h); err == nil {
				if !a.Is4() {
					return nil, fmt.Errorf("bad host %q: IPv6 is not supported yet", h)
				}
				out = append(out, pingTarget{name: h, addr: a, numeric: true})
				continue
			}
			a, err := resolve(ctx, h)
			if err != nil {
				return nil, err
			}
			out = append(out, pingTarget{name: h, addr: a})
		}
		if len(out) > maxTargets {
			return nil, fmt.Errorf("more than %d targets in one run", maxTargets)
		}
	}
	return out, nil
}

func resolve(ctx context.Context, host string) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("unknown host %q", host)
	}
	return addrs[0].Unmap(), nil
}

// names prints addresses as iputils does: "name (address)" when the
// address has a name and names are wanted, the address alone otherwise.
// Lookups are cached; a failed one prints the address.
type names struct {
	numeric bool
	mu      sync.Mutex
	cache   map[netip.Addr]string
}

func (n *names) format(a netip.Addr) string {
	if n.numeric {
		return a.String()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if s, ok := n.cache[a]; ok {
		return s
	}
	s := a.String()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if hs, err := net.DefaultResolver.LookupAddr(ctx, s); err == nil && len(hs) > 0 {
		s = strings.TrimSuffix(hs[0], ".") + " (" + s + ")"
	}
	if n.cache == nil {
		n.cache = map[netip.Addr]string{}
	}
	n.cache[a] = s
	return s
}
