//go:build linux

package netlabtest

import (
	"context"
	"net/netip"
	"sync"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

// sweep makes the first host-building call of a test binary remove the
// namespaces that killed test processes left behind.
var sweep sync.Once

// sweepOnce runs netlab.Sweep the first time a test makes a host; a
// failure is reported but does not stop the test (the names cannot
// clash).
func sweepOnce(t testing.TB) {
	sweep.Do(func() {
		if err := netlab.Sweep(context.Background()); err != nil {
			t.Logf("netlab: removing leftover namespaces: %v", err)
		}
	})
}

// closeAtEnd closes c when the test ends, also when it fails, and reports
// an error of Close as a test error.
func closeAtEnd(t testing.TB, c interface{ Close() error }) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("netlab: %v", err)
		}
	})
}

// NewHost creates a namespace with a unique name (see netlab.CreateHost)
// that is deleted when the test ends.
func NewHost(t testing.TB) *netlab.Host {
	t.Helper()
	sweepOnce(t)
	h, err := netlab.CreateHost(context.Background(), netlab.UniquePrefix()+"h")
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, h)
	return h
}

// NewPair creates a pair of hosts (see netlab.Pair) that is deleted when
// the test ends.
func NewPair(t testing.TB) *netlab.Pair {
	t.Helper()
	sweepOnce(t)
	p, err := netlab.BuildPair(context.Background(), "")
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, p)
	return p
}

// NewChain creates a client, routers routers and a server (see
// netlab.Chain), deleted when the test ends.
func NewChain(t testing.TB, routers int) *netlab.Chain {
	t.Helper()
	sweepOnce(t)
	c, err := netlab.BuildChain(context.Background(), routers, nil)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, c)
	return c
}

// NewDiamond creates an ECMP diamond (see netlab.Diamond) deleted when
// the test ends.
func NewDiamond(t testing.TB) *netlab.Diamond {
	t.Helper()
	sweepOnce(t)
	d, err := netlab.BuildDiamond(context.Background(), "")
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	closeAtEnd(t, d)
	return d
}

// Connect joins a and b with a veth link (netlab.ConnectHosts) and fails
// the test on error. The link goes away with its namespaces.
func Connect(t testing.TB, a, b *netlab.Host, aIf, bIf string, aPrefix, bPrefix netip.Prefix) *netlab.Link {
	t.Helper()
	l, err := netlab.ConnectHosts(context.Background(), a, b, aIf, bIf, aPrefix, bPrefix)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	return l
}
