//go:build linux && privileged

package netlab_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestMPLSExtensions: a datagram sent with TTL (hop limit) 1 through a
// router that runs the extender comes back as a time exceeded with the
// label stack, over IPv4 and IPv6, read by a raw ICMP socket on the
// client; once the extender is closed, its rules are gone and the
// router's time exceeded is plain again.
func TestMPLSExtensions(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 1)
	labels := []xicmp.MPLSLabel{{Label: 16, TC: 3, TTL: 1}, {Label: 1048575, S: true, TTL: 254}}
	x := netlabtest.MPLSExtensions(t, c.Routers[0], labels...)
	for _, dst := range []netip.Addr{c.Server.Addr(), c.Server.Addr6()} {
		exts := timeExceededFrom(t, c.Client, dst, c.RouterAddr(0), c.RouterAddr6(0))
		st, ok := firstStack(exts)
		if !ok || len(st.Labels) != 2 || st.Labels[0] != labels[0] || st.Labels[1] != labels[1] {
			t.Errorf("%v: extensions %+v, want the stack %+v", dst, exts, labels)
		}
	}
	if n := x.Rewritten(); n != 2 {
		t.Errorf("%d messages rewritten, want 2", n)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ipt, ip6t := netlab.IPTablesCommands()
	for _, cmd := range []string{ipt, ip6t} {
		out, err := c.Routers[0].Run(ctx, cmd, "-w", "10", "-t", "mangle", "-S", "OUTPUT")
		if err != nil || strings.Contains(string(out), "NFQUEUE") {
			t.Errorf("%s after Close: %v\n%s", cmd, err, out)
		}
	}
	for _, dst := range []netip.Addr{c.Server.Addr(), c.Server.Addr6()} {
		if exts := timeExceededFrom(t, c.Client, dst, c.RouterAddr(0), c.RouterAddr6(0)); len(exts) != 0 {
			t.Errorf("%v after Close: extensions %+v", dst, exts)
		}
	}
}

func firstStack(exts []xicmp.Extension) (*xicmp.MPLSLabelStack, bool) {
	if len(exts) != 1 {
		return nil, false
	}
	st, ok := exts[0].(*xicmp.MPLSLabelStack)
	return st, ok
}

// timeExceededFrom sends a UDP datagram to dst with TTL 1 from h and
// returns the extensions of the time exceeded that router4 or router6
// answers with.
func timeExceededFrom(t *testing.T, h *netlab.Host, dst, router4, router6 netip.Addr) []xicmp.Extension {
	t.Helper()
	network, laddr, proto, router := "ip4:icmp", "0.0.0.0", 1, router4
	if dst.Is6() {
		network, laddr, proto, router = "ip6:ipv6-icmp", "::", 58, router6
	}
	var exts []xicmp.Extension
	err := h.Do(func() error {
		ic, err := xicmp.ListenPacket(network, laddr)
		if err != nil {
			return err
		}
		defer ic.Close()
		u, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 33434)))
		if err != nil {
			return err
		}
		defer u.Close()
		if dst.Is6() {
			err = ipv6.NewConn(u).SetHopLimit(1)
		} else {
			err = ipv4.NewConn(u).SetTTL(1)
		}
		if err != nil {
			return err
		}
		if _, err := u.Write([]byte("mpls")); err != nil {
			return err
		}
		ic.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 1500)
		for {
			n, from, err := ic.ReadFrom(b)
			if err != nil {
				return err
			}
			m, err := xicmp.ParseMessage(proto, b[:n])
			if err != nil {
				return err
			}
			te, ok := m.Body.(*xicmp.TimeExceeded)
			if !ok || netip.MustParseAddr(from.String()) != router {
				continue
			}
			exts = te.Extensions
			return nil
		}
	})
	if err != nil {
		t.Fatalf("%v: %v", dst, err)
	}
	return exts
}
