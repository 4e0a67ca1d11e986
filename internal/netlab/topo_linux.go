//go:build linux

package netlab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Pair is two hosts on one veth link: A is 10.0.0.1/24 and fd00::1/64
// on AIf, B is 10.0.0.2/24 and fd00::2/64 on BIf; each also has its
// link-local fe80::/64 address there.
type Pair struct {
	A, B     *Host
	AIf, BIf string
	Link     *Link
}

// BuildPair creates a pair whose namespace names are prefix+"a" and
// prefix+"b" ("" for a unique test prefix); the caller deletes it with
// Close. On error nothing is left behind.
func BuildPair(ctx context.Context, prefix string) (p *Pair, err error) {
	if prefix == "" {
		prefix = UniquePrefix()
	}
	p = &Pair{}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Close())
			p = nil
		}
	}()
	if p.A, err = CreateHost(ctx, prefix+"a"); err != nil {
		return p, err
	}
	if p.B, err = CreateHost(ctx, prefix+"b"); err != nil {
		return p, err
	}
	l, err := ConnectHosts(ctx, p.A, p.B, "eth0", "eth0",
		netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("10.0.0.2/24"))
	if err != nil {
		return p, err
	}
	if err := l.AddIPv6(ctx, subnetEnd6(0, 1), subnetEnd6(0, 2)); err != nil {
		return p, err
	}
	p.A.addr, p.B.addr = l.APrefix.Addr(), l.BPrefix.Addr()
	p.A.addr6, p.B.addr6 = l.APrefix6.Addr(), l.BPrefix6.Addr()
	p.AIf, p.BIf, p.Link = l.AIf, l.BIf, l
	time.Sleep(mldSettle)
	return p, nil
}

// Close deletes both namespaces of the pair, B first.
func (p *Pair) Close() error {
	var errs []error
	for _, h := range []*Host{p.B, p.A} {
		if h != nil {
			errs = append(errs, h.Close())
		}
	}
	return errors.Join(errs...)
}

// Chain is a client, N routers and a server in a line:
//
//	client eth0 -- eth0 r1 eth1 -- eth0 r2 eth1 -- ... -- eth0 server
//
// Link k (0 ≤ k ≤ N, Links[k]) is the subnet 10.0.(k+1).0/24; its client
// side end has .1 and its server side end .2. So the client is 10.0.1.1,
// router i (Routers[i]) is 10.0.(i+1).2 toward the client (the address
// that traceroute shows at hop i+1) and the server is 10.0.(N+1).2.
// The chain is dual-stack: link k is also fd00:0:0:(k+1)::/64, with ::1
// and ::2 at the same ends (Host.Addr6, RouterAddr6, Hop6). Routers
// forward both families, every host has routes to every subnet in both,
// and no host rate-limits ICMP or ICMPv6.
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
		prefix = UniquePrefix()
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
		if err := r.Sysctls(forwarding); err != nil {
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
		l, err := connect6(ctx, left, right, leftIf, "eth0", byte(k+1))
		if err != nil {
			return c, err
		}
		c.Links = append(c.Links, l)
	}
	c.Client.addr, c.Client.addr6 = c.Links[0].APrefix.Addr(), c.Links[0].APrefix6.Addr()
	for i, r := range c.Routers {
		r.addr, r.addr6 = c.Links[i].BPrefix.Addr(), c.Links[i].BPrefix6.Addr()
	}
	c.Server.addr, c.Server.addr6 = c.Links[routers].BPrefix.Addr(), c.Links[routers].BPrefix6.Addr()
	if err := c.route(ctx); err != nil {
		return c, err
	}
	time.Sleep(mldSettle)
	return c, nil
}

// linkPrefix is the address of end (1 client side, 2 server side) on link k.
func linkPrefix(k, end int) netip.Prefix { return subnetEnd(byte(k+1), byte(end)) }

// linkPrefix6 is linkPrefix's IPv6 counterpart.
func linkPrefix6(k, end int) netip.Prefix { return subnetEnd6(byte(k+1), byte(end)) }

// forwarding makes a host a router for both families.
var forwarding = map[string]string{
	"net.ipv4.ip_forward":              "1",
	"net.ipv6.conf.all.forwarding":     "1",
	"net.ipv6.conf.default.forwarding": "1",
}

// route sets the routes: default routes on the client and the server,
// one route per subnet that is not on-link on each router.
func (c *Chain) route(ctx context.Context) error {
	n := len(c.Routers)
	if err := c.Client.ipBatch(ctx, "route add default via "+c.Links[0].BPrefix.Addr().String(),
		"route add default via "+c.Links[0].BPrefix6.Addr().String()); err != nil {
		return err
	}
	if err := c.Server.ipBatch(ctx, "route add default via "+c.Links[n].APrefix.Addr().String(),
		"route add default via "+c.Links[n].APrefix6.Addr().String()); err != nil {
		return err
	}
	for i, r := range c.Routers {
		// Router i sits between link i (toward the client) and link i+1.
		var lines []string
		for k := range c.Links {
			switch {
			case k < i:
				lines = append(lines, fmt.Sprintf("route add %s via %s",
					linkPrefix(k, 1).Masked(), c.Links[i].APrefix.Addr()),
					fmt.Sprintf("route add %s via %s",
						linkPrefix6(k, 1).Masked(), c.Links[i].APrefix6.Addr()))
			case k > i+1:
				lines = append(lines, fmt.Sprintf("route add %s via %s",
					linkPrefix(k, 1).Masked(), c.Links[i+1].BPrefix.Addr()),
					fmt.Sprintf("route add %s via %s",
						linkPrefix6(k, 1).Masked(), c.Links[i+1].BPrefix6.Addr()))
			}
		}
		if i == n-1 {
			// Give up on the unreachable address quickly: three ARP
			// probes (neighbour solicitations) 250 ms apart, then ICMP
			// host unreachable (ICMPv6 address unreachable).
			lines = append(lines, "ntable change name arp_cache dev eth1 retrans 250",
				"ntable change name ndisc_cache dev eth1 retrans 250")
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

// RouterAddr6 is RouterAddr's IPv6 counterpart: fd00:0:0:(i+1)::2.
func (c *Chain) RouterAddr6(i int) netip.Addr { return c.Routers[i].Addr6() }

// Hop6 is Hop's IPv6 counterpart.
func (c *Chain) Hop6(ttl int) netip.Addr {
	if ttl == len(c.Routers)+1 {
		return c.Server.Addr6()
	}
	return c.RouterAddr6(ttl - 1)
}

// Unreachable6 is Unreachable's IPv6 counterpart, ::c8 on the server's
// link: the last router's neighbour solicitations go unanswered and it
// returns ICMPv6 destination unreachable, address unreachable (RFC 4443
// 3.1), to the sender.
func (c *Chain) Unreachable6() netip.Addr {
	p := c.Links[len(c.Routers)].BPrefix6.Addr().As16()
	p[15] = 200
	return netip.AddrFrom16(p)
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
