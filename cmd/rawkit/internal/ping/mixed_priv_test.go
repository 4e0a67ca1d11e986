//go:build privileged

package ping

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPingBothFamilies pings a host's IPv4 and IPv6 addresses in one run:
// the capture on that host sees each family's echo requests arrive from
// the client, as many as each target was sent, and every target answers.
func TestPingBothFamilies(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := netlabtest.Sniff(t, p.B, p.BIf, "icmp or icmp6")
	v4, v6 := p.B.Addr().String(), p.B.Addr6().String()
	out, code := clitest.ProcRun(t, rawkitProc(ctx, p.A, "ping", "-n", "-c", "3", "-i", "0.05", v4, v6))
	pkts := s.Stop()
	if code != 0 || !strings.HasPrefix(out, "PING 2 targets 56 data bytes\n") || !strings.Contains(out, "\n2 alive, 0 unreachable\n") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, a := range []string{v4, v6} {
		if n := strings.Count(out, "64 bytes from "+a+": icmp_seq="); n != 3 {
			t.Errorf("%d replies from %s printed, want 3:\n%s", n, a, out)
		}
		if !strings.Contains(out, a+" : xmt/rcv/%loss = 3/3/0%") {
			t.Errorf("no 3/3 summary line for %s:\n%s", a, out)
		}
	}
	seen4 := probetest.Captured(pkts)
	if n := probetest.Count(seen4, func(x probetest.ICMP) bool { return x.Type == 8 && x.Src == p.A.Addr() && x.Dst == p.B.Addr() }); n != 3 {
		t.Errorf("capture saw %d IPv4 echo requests from %v, want 3", n, p.A.Addr())
	}
	seen6 := probetest.Captured6(pkts)
	if n := probetest.Count(seen6, func(x probetest.ICMP6) bool { return x.Type == 128 && x.Src == p.A.Addr6() && x.Dst == p.B.Addr6() }); n != 3 {
		t.Errorf("capture saw %d IPv6 echo requests from %v, want 3", n, p.A.Addr6())
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
