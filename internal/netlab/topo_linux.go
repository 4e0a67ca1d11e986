//go:build linux

package netlab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
)

// Pair is two hosts on one veth link: A is 10.0.0.1/24 on AIf, B is
// 10.0.0.2/24 on BIf.
type Pair struct {
	A, B     *Host
	AIf, BIf string
	Link     *Link
}

// NewPair creates a pair of hosts that is deleted when the test ends.
func NewPair(t testing.TB) *Pair {
	t.Helper()
	prefix := uniquePrefix()
	a := newHost(t, prefix+"a")
	b := newHost(t, prefix+"b")
	l := Connect(t, a, b, "eth0", "eth0",
		netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("10.0.0.2/24"))
	a.addr, b.addr = l.APrefix.Addr(), l.BPrefix.Addr()
	return &Pair{A: a, B: b, AIf: l.AIf, BIf: l.BIf, Link: l}
}

// Chain is a client, N routers and a server in a line:
//
//	client eth0 -- eth0 r1 eth1 -- eth0 r2 eth1 -- ... -- eth0 server
//
// Link k (0 ≤ k ≤ N, Links[k]) is the subnet 10.0.(k+1).0/24; its client
// side end has .1 and its server side end .2. So the client is 10.0.1.1,
// router i (Routers[i]) is 10.0.(i+1).2 toward the client (the address
// that traceroute shows at hop i+1) and the server is 10.0.(N+1).2.
// Routers forward, every host has routes to every subnet, and no host
// rate-limits ICMP.
type Chain struct {
	Client  *Host
	Routers []*Host
	Server  *Host
	Links   []*Link

	hosts []*Host // all of them, for Close
}

// MaxRouters bounds a chain's length (each link needs one /24 of 10.0.0.0/16).
const MaxRouters = 250

// ChainConfig tunes BuildChain. The zero value is valid.
type ChainConfig struct {
	// Prefix starts every namespace name: Prefix+"client",
	// Prefix+"r1"..., Prefix+"server". Empty means a unique
	// "rk-PID-N-" prefix that Sweep recognises.
	Prefix string
}

// NewChain creates a client, routers routers and a server (see Chain),
// deleted when the test ends.
func NewChain(t testing.TB, routers int) *Chain {
	t.Helper()
	sweepOnce(t)
	c, err := BuildChain(context.Background(), routers, nil)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("netlab: %v", err)
		}
	})
	return c
}

// BuildChain creates a chain with routers routers (1 to MaxRouters); the
// caller deletes it with Close. On error nothing is left behind.
func BuildChain(ctx context.Context, routers int, cfg *ChainConfig) (c *Chain, err error) {
	if routers < 1 || routers > MaxRouters {
		return nil, fmt.Errorf("netlab: chain of %d routers: want 1 to %d", routers, MaxRouters)
	}
	prefix := ""
	if cfg != nil {
		prefix = cfg.Prefix
	}
	if prefix == "" {
		prefix = uniquePrefix()
	}
	c = &Chain{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
			c = nil
		}
	}()
	add := func(name string) (*Host, error) {
		h, err := CreateHost(ctx, prefix+name)
		if err == nil {
			c.hosts = append(c.hosts, h)
		}
		return h, err
	}
	if c.Client, err = add("client"); err != nil {
		return c, err
	}
	for i := range routers {
		r, err := add(fmt.Sprintf("r%d", i+1))
		if err != nil {
			return c, err
		}
		if err := r.Sysctl("net.ipv4.ip_forward", "1"); err != nil {
			return c, err
		}
		c.Routers = append(c.Routers, r)
	}
	if c.Server, err = add("server"); err != nil {
		return c, err
	}
	for k, left := range c.hosts[:len(c.hosts)-1] {
		right := c.hosts[k+1]
		leftIf := "eth1"
		if left == c.Client {
			leftIf = "eth0"
		}
		l, err := ConnectHosts(ctx, left, right, leftIf, "eth0", linkPrefix(k, 1), linkPrefix(k, 2))
		if err != nil {
			return c, err
		}
		c.Links = append(c.Links, l)
	}
	c.Client.addr = c.Links[0].APrefix.Addr()
	for i, r := range c.Routers {
		r.addr = c.Links[i].BPrefix.Addr()
	}
	c.Server.addr = c.Links[routers].BPrefix.Addr()
	return c, c.route(ctx)
}

// linkPrefix is the address of end (1 client side, 2 server side) on link k.
func linkPrefix(k, end int) netip.Prefix { return subnetEnd(byte(k+1), byte(end)) }

// route sets the routes: default routes on the client and the server,
// one route per subnet that is not on-link on each router.
func (c *Chain) route(ctx context.Context) error {
	n := len(c.Routers)
	if err := c.Client.ipBatch(ctx, "route add default via "+c.Links[0].BPrefix.Addr().String()); err != nil {
		return err
	}
	if err := c.Server.ipBatch(ctx, "route add default via "+c.Links[n].APrefix.Addr().String()); err != nil {
		return err
	}
	for i, r := range c.Routers {
		// Router i sits between link i (toward the client) and link i+1.
		var lines []string
		for k := range c.Links {
			switch {
			case k < i:
				lines = append(lines, fmt.Sprintf("route add %s via %s",
					linkPrefix(k, 1).Masked(), c.Links[i].APrefix.Addr()))
			case k > i+1:
				lines = append(lines, fmt.Sprintf("route add %s via %s",
					linkPrefix(k, 1).Masked(), c.Links[i+1].BPrefix.Addr()))
			}
		}
		if i == n-1 {
			// Give up on the unreachable address quickly: three ARP
			// probes 250 ms apart, then ICMP host unreachable.
			lines = append(lines, "ntable change name arp_cache dev eth1 retrans 250")
		}
		if len(lines) == 0 {
			continue
		}
		if err := r.ipBatch(ctx, lines...); err != nil {
			return err
		}
	}
	return nil
}

// RouterAddr is router i's address toward the client (Routers[i], i from
// 0): the source of the ICMP errors it sends to the client, and the
// address traceroute shows at hop i+1.
func (c *Chain) RouterAddr(i int) netip.Addr { return c.Routers[i].Addr() }

// Hop is the address a trace from the client shows at hop ttl (from 1):
// a router's address toward the client, or the server's at ttl N+1.
func (c *Chain) Hop(ttl int) netip.Addr {
	if ttl == len(c.Routers)+1 {
		return c.Server.Addr()
	}
	return c.RouterAddr(ttl - 1)
}

// Unreachable is an address on the server's link that no host owns: the
// last router's ARP requests for it go unanswered and it returns ICMP
// destination host unreachable (RFC 1812 5.2.7.1) to the sender.
func (c *Chain) Unreachable() netip.Addr {
	p := c.Links[len(c.Routers)].BPrefix.Addr().As4()
	p[3] = 200
	return netip.AddrFrom4(p)
}

// Hosts returns every host of the chain, client first, server last.
func (c *Chain) Hosts() []*Host { return append([]*Host(nil), c.hosts...) }

// Close deletes every namespace of the chain.
func (c *Chain) Close() error {
	var errs []error
	for i := len(c.hosts) - 1; i >= 0; i-- {
		errs = append(errs, c.hosts[i].Close())
	}
	c.hosts = nil
	return errors.Join(errs...)
}
