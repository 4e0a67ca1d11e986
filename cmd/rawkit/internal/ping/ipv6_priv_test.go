//go:build linux && privileged

package ping

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPing6Chain pings across a dual-stack chain of 3 routers over IPv6,
// with the client's capture as the oracle.
func TestPing6Chain(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server, router2 := c.Server.Addr6(), c.RouterAddr6(1)

	t.Run("replies", func(t *testing.T) {
		s := netlabtest.Sniff(t, c.Client, "eth0", "")
		out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "ping", "-6", "-c", "3", "-i", "0.05", server.String()))
		seen := probetest.Captured6(s.Stop())
		if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("PING %s(%s) 56 data bytes\n", server, server)) ||
			strings.Count(out, " ttl=61 time=") != 3 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if n := probetest.Count(seen, func(x probetest.ICMP6) bool { return x.Type == 129 && x.Src == server && x.HopLimit == 61 }); n != 3 {
			t.Errorf("capture saw %d echo replies with hop limit 61, want 3", n)
		}
	})
	t.Run("hop limit 2", func(t *testing.T) {
		s := netlabtest.Sniff(t, c.Client, "eth0", "")
		out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "3", "-i", "0.05", "-t", "2", server.String()))
		seen := probetest.Captured6(s.Stop())
		for seq := 1; seq <= 3; seq++ {
			line := fmt.Sprintf("From %s icmp_seq=%d Time exceeded: Hop limit\n", router2, seq)
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		// Each error quotes one of the run's requests: the sequence
		// numbers the capture finds in the quotes are the ones printed.
		quoted := map[uint16]bool{}
		for _, x := range seen {
			if x.Type == 3 && x.Src == router2 && x.QuotedNext == 58 {
				quoted[x.Seq] = true
			}
		}
		if code != 1 || len(quoted) != 3 || !quoted[1] || !quoted[2] || !quoted[3] {
			t.Errorf("exit %d; capture: time exceeded from %v quoting seqs %v, want 1-3", code, router2, quoted)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		s := netlabtest.Sniff(t, c.Client, "eth0", "")
		out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "2", "-i", "0.2", c.Unreachable6().String()))
		seen := probetest.Captured6(s.Stop())
		lines := strings.Count(out, "Destination unreachable: Address unreachable\n")
		n := probetest.Count(seen, func(x probetest.ICMP6) bool { return x.Type == 1 })
		if lines == 0 || lines != n || code != 1 {
			t.Errorf("exit %d, %d unreachable lines, capture saw %d:\n%s", code, lines, n, out)
		}
		if _, _, _, errs := pingSummaryOf(t, out); errs != n {
			t.Errorf("+%d errors, capture saw %d", errs, n)
		}
	})
	t.Run("packet too big", func(t *testing.T) {
		if err := c.Links[2].SetMTU(ctx, 1280); err != nil {
			t.Fatal(err)
		}
		defer c.Links[2].SetMTU(ctx, 1500) //nolint:errcheck // the chain goes at the end anyway
		s := netlabtest.Sniff(t, c.Client, "eth0", "")
		out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "1", "-M", "do", "-s", "1400", server.String()))
		seen := probetest.Captured6(s.Stop())
		line := fmt.Sprintf("From %s icmp_seq=1 Packet too big: mtu=1280\n", router2)
		n := probetest.Count(seen, func(x probetest.ICMP6) bool { return x.Type == 2 && x.Src == router2 && x.MTU == 1280 && x.Seq == 1 })
		if code != 1 || !strings.Contains(out, line) || n != 1 {
			t.Errorf("exit %d, capture saw %d packet too big from %v; want %q in:\n%s", code, n, router2, line, out)
		}
	})
}

// As user nobody, through the ICMPv6 ping socket, across a chain of three
// routers: replies with hop limit 61, and with -t 2 router 2's time
// exceeded, which the kernel queues on the socket's error queue, printed
// as iputils prints them, one per error the capture saw.
func TestPing6AsNobody(t *testing.T) {
	if netlabtest.AsNobody() {
		args := append([]string{"--mode", "ping"}, strings.Fields(os.Getenv("PING_ARGS"))...)
		code, out, errOut := clitest.Run(t, New(nil), args...)
		want, prefix := os.Getenv("PING_LINE"), os.Getenv("PING_PREFIX")
		n := 0
		for _, l := range strings.SplitAfter(out, "\n") {
			if strings.HasPrefix(l, prefix) && strings.Contains(l, want) {
				n++
			}
		}
		t.Logf("LINES=%d", n)
		if strconv.Itoa(code) != os.Getenv("PING_EXIT") || n == 0 {
			t.Fatalf("exit %d, want %s and lines %q; stdout:\n%s\nstderr: %s", code, os.Getenv("PING_EXIT"), want, out, errOut)
		}
		return
	}
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	server, router2 := c.Server.Addr6(), c.RouterAddr6(1)
	cases := []struct {
		name, args, prefix, line, exit string
		match                          func(probetest.ICMP6) bool
	}{
		{"replies", "-c 3 -i 0.05 " + server.String(), "64 bytes from " + server.String() + ": ", " ttl=61 time=", "0",
			func(x probetest.ICMP6) bool { return x.Type == 129 && x.Src == server && x.HopLimit == 61 }},
		{"hop limit 2", "-c 3 -i 0.05 -t 2 " + server.String(), "From " + router2.String() + " icmp_seq=", " Time exceeded: Hop limit\n", "1",
			func(x probetest.ICMP6) bool { return x.Type == 3 && x.Src == router2 }},
	}
	linesRE := regexp.MustCompile(`LINES=(\d+)`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := netlabtest.Sniff(t, c.Client, "eth0", "")
			out, err := netlabtest.RunAsNobody(t, c.Client, "TestPing6AsNobody",
				"PING_ARGS="+tc.args, "PING_PREFIX="+tc.prefix, "PING_LINE="+tc.line, "PING_EXIT="+tc.exit)
			seen := probetest.Captured6(s.Stop())
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := linesRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no line count in:\n%s", out)
			}
			lines, _ := strconv.Atoi(string(m[1]))
			if n := probetest.Count(seen, tc.match); lines != 3 || n != 3 {
				t.Errorf("%d %q lines, capture saw %d; want 3 and 3", lines, tc.line, n)
			}
		})
	}
}

// TestPing6SweepPrefix sweeps an IPv6 /116 (4,096 addresses) and ::1 in a
// namespace whose lo answers for the whole prefix (a local route, as
// ip-route(8) "local" makes it): every address alive, one reply from each
// in the capture.
func TestPing6SweepPrefix(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := h.Run(ctx, "ip", "-6", "route", "add", "local", "fd00:0:0:77::/116", "dev", "lo"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	s := netlabtest.SniffWith(t, h, "lo", "", &netlab.SniffConfig{Snaplen: 96})
	out, code := clitest.ProcRun(t, rawkitProc(ctx, h, "ping", "-q", "-c", "1", "-W", "2", "fd00:0:0:77::/116", "::1"))
	seen := probetest.Captured6(s.Stop())
	if code != 0 || !strings.Contains(out, "4097 alive, 0 unreachable\n") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	prefix := netip.MustParsePrefix("fd00:0:0:77::/116")
	from := map[netip.Addr]int{}
	for _, x := range seen {
		if x.Type == 129 && (prefix.Contains(x.Src) || x.Src == netip.IPv6Loopback()) {
			from[x.Src]++
		}
	}
	if len(from) != 4097 {
		t.Errorf("capture saw replies from %d addresses, want 4097", len(from))
	}
	for a, n := range from {
		if n != 1 {
			t.Errorf("capture saw %d replies from %v, want 1", n, a)
		}
	}
}

// TestPing6LinkLocalZone pings router 1's link-local address scoped to
// the client's interface (fe80::...%IFACE): the zone picks the link, and
// the replies come from that address. (traceroute's half of this test is
// TestTraceroute6LinkLocalZone.)
func TestPing6LinkLocalZone(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := c.Links[0]
	ll := probetest.LinkLocal(ctx, t, l.B, l.BIf)
	scoped := ll.WithZone(l.AIf).String()

	s := netlabtest.Sniff(t, c.Client, l.AIf, "")
	text, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "2", "-i", "0.05", scoped))
	seen := probetest.Captured6(s.Stop())
	if code != 0 || !strings.HasPrefix(text, "PING "+scoped+"("+scoped+") 56 data bytes\n") ||
		strings.Count(text, " ttl=64 time=") != 2 {
		t.Fatalf("exit %d:\n%s", code, text)
	}
	if n := probetest.Count(seen, func(x probetest.ICMP6) bool { return x.Type == 129 && x.Src == ll }); n != 2 {
		t.Errorf("capture saw %d echo replies from %v, want 2", n, ll)
	}
}
