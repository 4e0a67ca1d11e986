//go:build linux

package netlab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Diamond is an equal-cost multipath (ECMP) topology: the entry router
// balances traffic to the server over two branch routers that meet again
// at the exit router.
//
//	                         eth1 -- eth0 up   eth1 -- eth0
//	client eth0 -- eth0 entry                            exit eth2 -- eth0 server
//	                         eth2 -- eth0 down eth1 -- eth1
//
// Subnets, client side end .1 and server side end .2: 10.0.1.0/24
// client–entry, 10.0.2.0/24 entry–up, 10.0.3.0/24 entry–down,
// 10.0.4.0/24 up–exit, 10.0.5.0/24 down–exit, 10.0.6.0/24 exit–server.
// It is dual-stack: 10.0.k.e/24 has fd00:0:0:k::e/64 beside it, with the
// same routes, and the entry router hashes IPv6 flows the same way.
// The entry router hashes flows on addresses, protocol and ports
// (net.ipv4.fib_multipath_hash_policy=1), so each flow keeps one branch
// and different ports spread over both. The way back always takes the
// up branch, so that the exit router always answers from 10.0.4.2.
type Diamond struct {
	Client, Entry *Host
	Branches      [2]*Host // up, down: 10.0.2.2 and 10.0.3.2 toward the client
	Exit, Server  *Host

	hosts []*Host
}

// BuildDiamond creates a diamond whose namespace names start with prefix
// ("" for a unique test prefix); the caller deletes it with Close.
func BuildDiamond(ctx context.Context, prefix string) (d *Diamond, err error) {
	if prefix == "" {
		prefix = UniquePrefix()
	}
	d = &Diamond{}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
			d = nil
		}
	}()
	for _, n := range []struct {
		h    **Host
		name string
	}{{&d.Client, "client"}, {&d.Entry, "entry"}, {&d.Branches[0], "up"}, {&d.Branches[1], "down"}, {&d.Exit, "exit"}, {&d.Server, "server"}} {
		if *n.h, err = CreateHost(ctx, prefix+n.name); err != nil {
			return d, err
		}
		d.hosts = append(d.hosts, *n.h)
	}
	up, down := d.Branches[0], d.Branches[1]
	for _, l := range []struct {
		a, b     *Host
		aIf, bIf string
		subnet   byte
	}{
		{d.Client, d.Entry, "eth0", "eth0", 1},
		{d.Entry, up, "eth1", "eth0", 2},
		{d.Entry, down, "eth2", "eth0", 3},
		{up, d.Exit, "eth1", "eth0", 4},
		{down, d.Exit, "eth1", "eth1", 5},
		{d.Exit, d.Server, "eth2", "eth0", 6},
	} {
		if _, err := connect6(ctx, l.a, l.b, l.aIf, l.bIf, l.subnet); err != nil {
			return d, err
		}
	}
	d.Client.addr, d.Entry.addr = subnetEnd(1, 1).Addr(), subnetEnd(1, 2).Addr()
	up.addr, down.addr = subnetEnd(2, 2).Addr(), subnetEnd(3, 2).Addr()
	d.Exit.addr, d.Server.addr = subnetEnd(4, 2).Addr(), subnetEnd(6, 2).Addr()
	for _, h := range d.hosts {
		h.addr6 = to6(h.addr)
	}
	for _, r := range []*Host{d.Entry, up, down, d.Exit} {
		if err := r.Sysctls(forwarding); err != nil {
			return d, err
		}
	}
	err = d.Entry.Sysctls(map[string]string{
		"net.ipv4.fib_multipath_hash_policy": "1",
		"net.ipv6.fib_multipath_hash_policy": "1",
	})
	if err != nil {
		return d, err
	}
	for h, lines := range d.routes() {
		for _, l := range lines {
			lines = append(lines, routeTo6(l))
		}
		if err := h.ipBatch(ctx, lines...); err != nil {
			return d, err
		}
	}
	time.Sleep(mldSettle)
	return d, nil
}

// routes gives each host's routes: ECMP at the entry router, the up
// branch for the way back.
func (d *Diamond) routes() map[*Host][]string {
	up, down := d.Branches[0], d.Branches[1]
	return map[*Host][]string{
		d.Client: {"route add default via 10.0.1.2"},
		d.Entry: {
			"route add 10.0.4.0/24 via 10.0.2.2",
			"route add 10.0.5.0/24 via 10.0.3.2",
			"route add 10.0.6.0/24 nexthop via 10.0.2.2 weight 1 nexthop via 10.0.3.2 weight 1",
		},
		up: {
			"route add 10.0.1.0/24 via 10.0.2.1", "route add 10.0.3.0/24 via 10.0.2.1",
			"route add 10.0.5.0/24 via 10.0.4.2", "route add 10.0.6.0/24 via 10.0.4.2",
		},
		down: {
			"route add 10.0.1.0/24 via 10.0.3.1", "route add 10.0.2.0/24 via 10.0.3.1",
			"route add 10.0.4.0/24 via 10.0.5.2", "route add 10.0.6.0/24 via 10.0.5.2",
		},
		d.Exit: {
			"route add 10.0.1.0/24 via 10.0.4.1", "route add 10.0.2.0/24 via 10.0.4.1",
			"route add 10.0.3.0/24 via 10.0.5.1",
		},
		d.Server: {"route add default via 10.0.6.1"},
	}
}

// to6 maps 10.0.k.e to fd00:0:0:k::e, as the topologies number hosts.
func to6(a netip.Addr) netip.Addr {
	b := a.As4()
	return subnetEnd6(b[2], b[3]).Addr()
}

// routeTo6 rewrites an IPv4 route of routes() for IPv6: every 10.0.k.e
// address and 10.0.k.0/24 prefix becomes its fd00:0:0:k:: counterpart.
func routeTo6(line string) string {
	f := strings.Fields(line)
	for i, w := range f {
		if p, err := netip.ParsePrefix(w); err == nil && p.Addr().Is4() {
			f[i] = netip.PrefixFrom(to6(p.Addr()), 64).Masked().String()
		} else if a, err := netip.ParseAddr(w); err == nil && a.Is4() {
			f[i] = to6(a).String()
		}
	}
	return strings.Join(f, " ")
}

func subnetEnd(subnet, end byte) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, subnet, end}), 24)
}

// Hosts returns every host of the diamond.
func (d *Diamond) Hosts() []*Host { return append([]*Host(nil), d.hosts...) }

// Close deletes every namespace of the diamond.
func (d *Diamond) Close() error {
	var errs []error
	for _, h := range d.hosts {
		errs = append(errs, h.Close())
	}
	d.hosts = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("netlab: diamond: %w", err)
	}
	return nil
}
