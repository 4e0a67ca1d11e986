//go:build linux

package netlabtest

import (
	"context"
	"net/netip"
	"testing"
	"time"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/internal/netlab"
)

// Rule appends an iptables rule to chain in table on h
// (netlab.Host.AddRule) and fails the test on error. It goes away with
// the namespace.
func Rule(t testing.TB, h *netlab.Host, table, chain string, spec ...string) *netlab.Rule {
	t.Helper()
	return must(t)(h.AddRule(context.Background(), table, chain, spec...))
}

// Loss drops percent of the IPv4 packets leaving iface on h, at random
// (netlab.Host.AddLoss: on the sending host itself the sender is told,
// on a router it is a lossy link), and fails the test on error.
func Loss(t testing.TB, h *netlab.Host, iface string, percent float64) *netlab.Rule {
	t.Helper()
	return must(t)(h.AddLoss(context.Background(), iface, percent))
}

// LossIn drops percent of the IPv4 packets arriving on iface on h, at
// random, before routing (netlab.Host.AddLossIn), and fails the test on
// error.
func LossIn(t testing.TB, h *netlab.Host, iface string, percent float64) *netlab.Rule {
	t.Helper()
	return must(t)(h.AddLossIn(context.Background(), iface, percent))
}

// Duplicate sends a copy of every IPv4 packet leaving iface on h to
// gateway (netlab.Host.AddDuplicate), and fails the test on error.
func Duplicate(t testing.TB, h *netlab.Host, iface string, gateway netip.Addr) *netlab.Rule {
	t.Helper()
	return must(t)(h.AddDuplicate(context.Background(), iface, gateway))
}

// must turns an error into a test failure.
func must(t testing.TB) func(*netlab.Rule, error) *netlab.Rule {
	return func(r *netlab.Rule, err error) *netlab.Rule {
		t.Helper()
		if err != nil {
			t.Fatalf("netlab: %v", err)
		}
		return r
	}
}

// Delay delays by d the packets leaving iface on h
// (netlab.Host.StartDelay), fails the test on error and stops the delay
// when the test ends.
func Delay(t testing.TB, h *netlab.Host, iface string, d time.Duration) *netlab.Delayer {
	t.Helper()
	dl, err := h.StartDelay(context.Background(), iface, d)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, dl)
	return dl
}

// MPLSExtensions makes the router h add an MPLS label stack to the time
// exceeded messages it sends (netlab.Host.StartMPLSExtensions), fails the
// test on error and stops when the test ends.
func MPLSExtensions(t testing.TB, h *netlab.Host, labels ...xicmp.MPLSLabel) *netlab.MPLSExtender {
	t.Helper()
	x, err := h.StartMPLSExtensions(context.Background(), labels)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, x)
	return x
}
