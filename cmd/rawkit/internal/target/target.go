// Package target reads the HOST operands of the probing commands (ping,
// traceroute): an IPv4 or IPv6 address, fe80::1%eth0 for a link-local
// one, or a name looked up for the family -4 or -6 asks. Both commands
// name and refuse a host the same way.
package target

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Lookup turns host into the address to probe: an address as written
// (literal is then true: print addresses, not names), or a name resolved
// to its first address of the family (family 0: IPv4 if it has one, else
// IPv6). Addresses are those iputils takes: IPv4 in every form
// inet_aton(3) reads ("127.1", "0"), and zones named by interface or by
// index ("::1%1", read as "::1%lo"). An address of the other family than
// -4 or -6 asks, or with a zone that names no interface, is refused.
func Lookup(ctx context.Context, r *net.Resolver, host string, family int) (a netip.Addr, literal bool, err error) {
	a, err = netip.ParseAddr(host)
	if err != nil {
		if a4, ok := parseAton(host); ok {
			a, err = a4, nil
		}
	}
	if err == nil {
		a = a.Unmap()
		if err := CheckFamily(host, a, family); err != nil {
			return a, true, err
		}
		if z := a.Zone(); z != "" && strings.Trim(z, "0123456789") == "" {
			// A numeric zone is an interface index (if_nametoindex's
			// inverse, as getaddrinfo reads it); the rest of rawkit
			// names interfaces.
			if ifi, ierr := net.InterfaceByIndex(atoi(z)); ierr == nil {
				a = a.WithZone(ifi.Name)
			}
		}
		return a, true, CheckZone(a, host)
	} else if strings.Contains(host, ":") {
		// No host name has a colon: this was meant as an address.
		return netip.Addr{}, false, fmt.Errorf("bad IPv6 address %q: %v", host, err)
	}
	a, err = Resolve(ctx, r, host, family)
	return a, false, err
}

// Resolve looks host up with r (nil: net.DefaultResolver) for the
// family; with none asked, IPv4 first, then IPv6. It gives up after 10
// seconds.
func Resolve(ctx context.Context, r *net.Resolver, host string, family int) (netip.Addr, error) {
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	nets := map[int][]string{0: {"ip4", "ip6"}, 4: {"ip4"}, 6: {"ip6"}}[family]
	for _, n := range nets {
		addrs, err := r.LookupNetIP(ctx, n, host)
		if err == nil && len(addrs) > 0 {
			return addrs[0].Unmap(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("unknown host %q", host)
}

// IPv returns a's IP version, 4 or 6.
func IPv(a netip.Addr) int {
	if a.Is6() {
		return 6
	}
	return 4
}

// CheckFamily refuses an address of the other family than -4 or -6 asks
// (family 4 or 6; 0 takes either). h is the address as the user wrote it.
func CheckFamily(h string, a netip.Addr, family int) error {
	if family != 0 && IPv(a) != family {
		return fmt.Errorf("bad host %q: an IPv%d address, and -%d asks for IPv%d", h, IPv(a), family, family)
	}
	return nil
}

// CheckZone refuses a zone that names no interface of this host. h is
// the address as the user wrote it.
func CheckZone(a netip.Addr, h string) error {
	if z := a.Zone(); z != "" {
		if _, err := net.InterfaceByName(z); err != nil {
			return fmt.Errorf("bad address %q: unknown zone %q: no such interface", h, z)
		}
	}
	return nil
}
