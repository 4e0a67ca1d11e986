//go:build privileged

package ping

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPingPatternOnTheWire: with -p, the capture on the target sees the
// pattern fill every request's payload past rawkit's own 12 bytes, and
// the echoed replies pass the data check.
func TestPingPatternOnTheWire(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	out, code := clitest.ProcRun(t, rawkitProc(ctx, p.A, "ping", "-n", "-c", "2", "-i", "0.05", "-s", "100", "-p", "a55a", p.B.Addr().String()))
	pkts := s.Stop()
	if code != 0 || !strings.HasPrefix(out, "PATTERN: 0xa55a\n") || strings.Count(out, "108 bytes from ") != 2 || strings.Contains(out, "wrong data") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	requests, replies := 0, 0
	for _, pk := range pkts {
		b := pk.Network()
		if len(b) < 20 || b[9] != 1 {
			continue
		}
		m := b[int(b[0]&15)*4:]
		if len(m) != 8+100 || (m[0] != 8 && m[0] != 0) {
			t.Errorf("captured ICMP type %d of %d bytes", m[0], len(m))
			continue
		}
		payload := m[8:]
		for i := 12; i < len(payload); i++ {
			if want := []byte{0xa5, 0x5a}[i%2]; payload[i] != want {
				t.Fatalf("type %d payload byte %d on the wire is %#x, want %#x", m[0], i, payload[i], want)
			}
		}
		if m[0] == 8 {
			requests++
		} else {
			replies++
		}
	}
	if requests != 2 || replies != 2 {
		t.Errorf("capture saw %d requests and %d replies, want 2 and 2", requests, replies)
	}
}
