package exporter

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

// TestWithEchoMonitor runs the exporter over the real echo engine, on an
// in-memory socket that answers 127.0.0.2, ignores 127.0.0.3 and sends
// 127.0.0.4 host unreachable errors: each target's requests are its
// replies, its losses and what is in flight, and the errors are counted
// by type.
func TestWithEchoMonitor(t *testing.T) {
	t.Parallel()
	src := netip.MustParseAddr("127.0.0.1")
	conn := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
		switch dst.String() {
		case "127.0.0.2":
			return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 63}}}
		case "127.0.0.4":
			return []icmptest.Delivery{{After: time.Millisecond, Msg: icmp.Message{Data: icmptest.ErrorFor(icmp.TypeDestUnreach, 1, src, dst, b, -1), Src: src, TTL: 64}}}
		}
		return nil
	}, &icmptest.Config{Unrecorded: true})
	env := func(e *Env) {
		e.Listen = func(cfg *echo.ListenConfig) (*echo.Socket, error) {
			if cfg.IPv6 {
				return nil, errNoSuchInterface // an IPv4-only host
			}
			return &echo.Socket{Conn: conn, ID: 77, Mode: echo.ModeRaw}, nil
		}
		e.NewMonitor = newEchoMonitor
	}
	h := startWith(t, "targets:\n  - hosts: [127.0.0.2, 127.0.0.3, 127.0.0.4]\n    interval: 20ms\n    timeout: 100ms\n", startOpts{env: env})
	if !waitFor(func() bool {
		_, lost := counterOf(h, "rawkit_ping_lost_total", "127.0.0.3")
		return lost >= 10
	}) {
		t.Fatal("no losses counted for the silent target")
	}
	fams := h.scrape(false)
	for _, target := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		l := lbl("target", target)
		req := value(find(fams, "rawkit_ping_requests_total", l))
		rtt := value(find(fams, "rawkit_ping_rtt_seconds", l))
		lost := value(find(fams, "rawkit_ping_lost_total", l))
		// In flight: at most timeout/interval probes, and one more sent
		// while the scrape gathered.
		if inFlight := req - rtt - lost; inFlight < 0 || inFlight > 100/20+2 {
			t.Errorf("%s: %v requests, %v replies, %v lost", target, req, rtt, lost)
		}
		if target == "127.0.0.2" && (rtt < 10 || lost != 0) || target != "127.0.0.2" && rtt != 0 {
			t.Errorf("%s: %v replies, %v lost", target, rtt, lost)
		}
	}
	if v := value(find(fams, "rawkit_ping_reply_ttl", lbl("target", "127.0.0.2"))); v != 63 {
		t.Errorf("reply TTL %v", v)
	}
	if v := value(find(fams, "rawkit_ping_icmp_errors_total", lbl("target", "127.0.0.4", "type", "destination-unreachable"))); v < 10 {
		t.Errorf("%v host unreachable errors counted", v)
	}
	if !strings.HasPrefix(h.stderr.String(), "rawkit exporter: raw ICMP sockets (CAP_NET_RAW), IPv4 only") {
		t.Errorf("stderr %q", h.stderr.String())
	}
}

func counterOf(h *harness, name, target string) (bool, float64) {
	m := find(h.scrape(false), name, lbl("target", target))
	return m != nil, value(m)
}

// waitFor polls f for up to 10 s.
func waitFor(f func() bool) bool {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if f() {
			return true
		}
	}
	return false
}
