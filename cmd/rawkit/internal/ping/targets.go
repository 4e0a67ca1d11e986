package ping

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/target"
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
func expandTargets(ctx context.Context, r *net.Resolver, hosts []string, family int) ([]pingTarget, error) {
	return expandHosts(ctx, r, hosts, family)
}

// checkTargets refuses what one run cannot do with targets of both
// families: a source address, which has one family, for targets of the
// other, and a flood, whose one goroutine waits on one socket.
func checkTargets(o *pingOpts, targets []pingTarget) error {
	first := targets[0]
	for _, t := range targets {
		if o.source.IsValid() && o.source.Is6() != t.addr.Is6() {
			return fmt.Errorf("bad source address %q: not IPv%d, as %q is", o.source, target.IPv(t.addr), t.name)
		}
		if o.size > maxSize4 && !t.addr.Is6() {
			return fmt.Errorf("bad size %d for -s: IPv4 carries at most %d (%q is IPv4; IPv6 takes up to %d)", o.size, maxSize4, t.name, maxSize6)
		}
		if engineFlood(o) && t.addr.Is6() != first.addr.Is6() {
			return fmt.Errorf("bad host %q: IPv%d, and %q is IPv%d: a flood pings one family", t.name, target.IPv(t.addr), first.name, target.IPv(first.addr))
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

func expandHosts(ctx context.Context, r *net.Resolver, hosts []string, family int) ([]pingTarget, error) {
	var out []pingTarget
	for _, h := range hosts {
		switch {
		case strings.Contains(h, "/"):
			p, err := netip.ParsePrefix(h)
			if err != nil {
				return nil, fmt.Errorf("bad CIDR range %q", h)
			}
			if err := target.CheckFamily(h, p.Addr(), family); err != nil {
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
			a, literal, err := target.Lookup(ctx, r, h, family)
			if err != nil {
				return nil, err
			}
			if a == netip.IPv4Unspecified() {
				// iputils pings 0.0.0.0 as the source address the kernel
				// picks for it (ping.c), which is the loopback's: the
				// local route sends 0.0.0.0 to lo.
				a = netip.AddrFrom4([4]byte{127, 0, 0, 1})
			}
			out = append(out, pingTarget{name: h, addr: a, numeric: literal})
			if literal {
				// Kept from before the move to package target: a literal
				// address skips the count below (one over maxTargets
				// passes if it comes last), to be fixed on its own.
				continue
			}
		}
		if len(out) > maxTargets {
			return nil, fmt.Errorf("more than %d targets in one run", maxTargets)
		}
	}
	return out, nil
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
