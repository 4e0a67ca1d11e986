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

// minSweepBits6 is the largest IPv6 prefix a sweep takes: a /112 is
// 65,536 addresses, as many as an IPv4 /16.
const minSweepBits6 = 112

// expandTargets turns HOST operands into addresses: an IPv4 or IPv6
// address (link-local ones scoped with %IFACE), a CIDR range (every host
// address, without the network and broadcast addresses of IPv4 ranges
// larger than /31, as fping -g; IPv6 prefixes of /112 and longer), or a
// name resolved to its first address of the family (family 0: IPv4 if
// it has one, else IPv6). A run may mix the families: each has its socket.
func expandTargets(ctx context.Context, hosts []string, family int) ([]pingTarget, error) {
	return expandHosts(ctx, hosts, family)
}

// checkTargets refuses what one run cannot do with targets of both
// families: a source address, which has one family, for targets of the
// other, and a flood, whose one goroutine waits on one socket.
func checkTargets(o *pingOpts, targets []pingTarget) error {
	first := targets[0]
	for _, t := range targets {
		if o.source.IsValid() && o.source.Is6() != t.addr.Is6() {
			return fmt.Errorf("bad source address %q: not IPv%d, as %q is", o.source, ipv(t.addr), t.name)
		}
		if engineFlood(o) && t.addr.Is6() != first.addr.Is6() {
			return fmt.Errorf("bad host %q: IPv%d, and %q is IPv%d: a flood pings one family", t.name, ipv(t.addr), first.name, ipv(first.addr))
		}
	}
	return nil
}

// families returns the targets' addresses and which families they hold.
func families(targets []pingTarget) (addrs []netip.Addr, v4, v6 int) {
	addrs = make([]netip.Addr, len(targets))
	for i, t := range targets {
		addrs[i] = t.addr
		if t.addr.Is6() {
			v6++
		} else {
			v4++
		}
	}
	return addrs, v4, v6
}

func ipv(a netip.Addr) int {
	if a.Is6() {
		return 6
	}
	return 4
}

// checkFamily refuses an address of the other family than -4 or -6 asks.
func checkFamily(h string, a netip.Addr, family int) error {
	if family != 0 && ipv(a) != family {
		return fmt.Errorf("bad host %q: an IPv%d address, and -%d asks for IPv%d", h, ipv(a), family, family)
	}
	return nil
}

// checkZone refuses a zone that names no interface of this host.
func checkZone(a netip.Addr, h string) error {
	if z := a.Zone(); z != "" {
		if _, err := net.InterfaceByName(z); err != nil {
			return fmt.Errorf("bad address %q: unknown zone %q: no such interface", h, z)
		}
	}
	return nil
}

func expandHosts(ctx context.Context, hosts []string, family int) ([]pingTarget, error) {
	var out []pingTarget
	for _, h := range hosts {
		switch {
		case strings.Contains(h, "/"):
			p, err := netip.ParsePrefix(h)
			if err != nil {
				return nil, fmt.Errorf("bad CIDR range %q", h)
			}
			if err := checkFamily(h, p.Addr(), family); err != nil {
				return nil, err
			}
			p = p.Masked()
			if p.Addr().Is6() {
				if p.Bits() < minSweepBits6 {
					return nil, fmt.Errorf("range %q is too large to sweep: IPv6 prefixes must be /%d or longer", h, minSweepBits6)
				}
				n := 1 << (128 - p.Bits())
				if len(out)+n > maxTargets {
					return nil, fmt.Errorf("range %q has %d addresses: more than %d targets in one run", h, n, maxTargets)
				}
				for a, i := p.Addr(), 0; i < n; a, i = a.Next(), i+1 {
					out = append(out, pingTarget{name: a.String(), addr: a, numeric: true})
				}
				continue
			}
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
				a = a.Unmap()
				if err := checkFamily(h, a, family); err != nil {
					return nil, err
				}
				if err := checkZone(a, h); err != nil {
					return nil, err
				}
				out = append(out, pingTarget{name: h, addr: a, numeric: true})
				continue
			} else if strings.Contains(h, ":") {
				// No host name has a colon: this was meant as an address.
				return nil, fmt.Errorf("bad IPv6 address %q: %v", h, err)
			}
			a, err := resolve(ctx, h, family)
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

// resolve looks host up for the family; with none asked, IPv4 first,
// then IPv6.
func resolve(ctx context.Context, host string, family int) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	nets := map[int][]string{0: {"ip4", "ip6"}, 4: {"ip4"}, 6: {"ip6"}}[family]
	for _, n := range nets {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, n, host)
		if err == nil && len(addrs) > 0 {
			return addrs[0].Unmap(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("unknown host %q", host)
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
