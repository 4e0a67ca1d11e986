package probetest

import (
	"context"
	"net/netip"
	"regexp"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

var linkLocalRE = regexp.MustCompile(`inet6 (fe80:[0-9a-f:]+)/64`)

// LinkLocal returns the link-local address h has on its interface ifname,
// as the kernel configured it; it fails t if there is none.
func LinkLocal(ctx context.Context, t testing.TB, h *netlab.Host, ifname string) netip.Addr {
	t.Helper()
	out, err := h.Run(ctx, "ip", "-6", "-o", "addr", "show", "dev", ifname, "scope", "link")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := linkLocalRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no link-local address on %s: %s", ifname, out)
	}
	return netip.MustParseAddr(string(m[1]))
}
