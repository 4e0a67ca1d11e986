//go:build linux && privileged

package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/internal/netlab"
)

// icmp6Seen is an ICMPv6 message in a capture.
type icmp6Seen struct {
	src, dst netip.Addr
	hlim     int
	typ      int
	mtu      uint32 // packet too big
	// For an error, the quoted datagram: its flow label, next header
	// and, for a quoted echo request, identifier and sequence.
	quotedFlow uint32
	quotedNext int
	id, seq    uint16
}

// icmp6Captured decodes the ICMPv6 packets of a capture, independently
// of the code under test.
func icmp6Captured(pkts []netlab.Packet) []icmp6Seen {
	var out []icmp6Seen
	for _, p := range pkts {
		b := p.IPv6()
		if b == nil || b[6] != 58 || len(b) < 48 {
			continue
		}
		m := b[40:]
		s := icmp6Seen{src: netip.AddrFrom16([16]byte(b[8:24])), dst: netip.AddrFrom16([16]byte(b[24:40])),
			hlim: int(b[7]), typ: int(m[0])}
		switch {
		case s.typ >= 128:
			s.id, s.seq = binary.BigEndian.Uint16(m[4:]), binary.BigEndian.Uint16(m[6:])
		case len(m) >= 8+40+8:
			s.mtu = binary.BigEndian.Uint32(m[4:])
			q := m[8:]
			s.quotedFlow, s.quotedNext = binary.BigEndian.Uint32(q)&0xfffff, int(q[6])
			s.id, s.seq = binary.BigEndian.Uint16(q[44:]), binary.BigEndian.Uint16(q[46:])
		}
		out = append(out, s)
	}
	return out
}

func count6(seen []icmp6Seen, f func(icmp6Seen) bool) int {
	n := 0
	for _, s := range seen {
		if f(s) {
			n++
		}
	}
	return n
}

// TestPing6Chain pings across a dual-stack chain of 3 routers over IPv6,
// with the client's capture as the oracle.
func TestPing6Chain(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server, router2 := c.Server.Addr6(), c.RouterAddr6(1)

	t.Run("replies", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-6", "-c", "3", "-i", "0.05", server.String()))
		seen := icmp6Captured(s.Stop())
		if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("PING %s(%s) 56 data bytes\n", server, server)) ||
			strings.Count(out, " ttl=61 time=") != 3 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if n := count6(seen, func(x icmp6Seen) bool { return x.typ == 129 && x.src == server && x.hlim == 61 }); n != 3 {
			t.Errorf("capture saw %d echo replies with hop limit 61, want 3", n)
		}
	})
	t.Run("hop limit 2", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "3", "-i", "0.05", "-t", "2", server.String()))
		seen := icmp6Captured(s.Stop())
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
			if x.typ == 3 && x.src == router2 && x.quotedNext == 58 {
				quoted[x.seq] = true
			}
		}
		if code != 1 || len(quoted) != 3 || !quoted[1] || !quoted[2] || !quoted[3] {
			t.Errorf("exit %d; capture: time exceeded from %v quoting seqs %v, want 1-3", code, router2, quoted)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "2", "-i", "0.2", c.Unreachable6().String()))
		seen := icmp6Captured(s.Stop())
		lines := strings.Count(out, "Destination unreachable: Address unreachable\n")
		n := count6(seen, func(x icmp6Seen) bool { return x.typ == 1 })
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
		s := c.Client.Sniff(t, "eth0", "")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "1", "-M", "do", "-s", "1400", server.String()))
		seen := icmp6Captured(s.Stop())
		line := fmt.Sprintf("From %s icmp_seq=1 Packet too big: mtu=1280\n", router2)
		n := count6(seen, func(x icmp6Seen) bool { return x.typ == 2 && x.src == router2 && x.mtu == 1280 && x.seq == 1 })
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
	if netlab.AsNobody() {
		listenEcho, dropPrivileges = echo.Listen, echo.DropPrivileges
		args := append([]string{"rawkit", "ping", "--mode", "ping"}, strings.Fields(os.Getenv("PING_ARGS"))...)
		code, out, errOut := runArgs(t, args...)
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
	netlab.Privileged(t)
	c := netlab.NewChain(t, 3)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	server, router2 := c.Server.Addr6(), c.RouterAddr6(1)
	cases := []struct {
		name, args, prefix, line, exit string
		match                          func(icmp6Seen) bool
	}{
		{"replies", "-c 3 -i 0.05 " + server.String(), "64 bytes from " + server.String() + ": ", " ttl=61 time=", "0",
			func(x icmp6Seen) bool { return x.typ == 129 && x.src == server && x.hlim == 61 }},
		{"hop limit 2", "-c 3 -i 0.05 -t 2 " + server.String(), "From " + router2.String() + " icmp_seq=", " Time exceeded: Hop limit\n", "1",
			func(x icmp6Seen) bool { return x.typ == 3 && x.src == router2 }},
	}
	linesRE := regexp.MustCompile(`LINES=(\d+)`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := c.Client.Sniff(t, "eth0", "")
			out, err := netlab.RunAsNobody(t, c.Client, "TestPing6AsNobody",
				"PING_ARGS="+tc.args, "PING_PREFIX="+tc.prefix, "PING_LINE="+tc.line, "PING_EXIT="+tc.exit)
			seen := icmp6Captured(s.Stop())
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := linesRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no line count in:\n%s", out)
			}
			lines, _ := strconv.Atoi(string(m[1]))
			if n := count6(seen, tc.match); lines != 3 || n != 3 {
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
	netlab.Privileged(t)
	h := netlab.NewHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := h.Run(ctx, "ip", "-6", "route", "add", "local", "fd00:0:0:77::/116", "dev", "lo"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	s := h.SniffWith(t, "lo", "", &netlab.SniffConfig{Snaplen: 96})
	out, code := procRun(t, rawkitProc(ctx, h, "ping", "-q", "-c", "1", "-W", "2", "fd00:0:0:77::/116", "::1"))
	seen := icmp6Captured(s.Stop())
	if code != 0 || !strings.Contains(out, "4097 alive, 0 unreachable\n") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	prefix := netip.MustParsePrefix("fd00:0:0:77::/116")
	from := map[netip.Addr]int{}
	for _, x := range seen {
		if x.typ == 129 && (prefix.Contains(x.src) || x.src == netip.IPv6Loopback()) {
			from[x.src]++
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

// TestPing6LinkLocalZone pings and traces router 1's link-local address
// scoped to the client's interface (fe80::...%IFACE): the zone picks the
// link, replies and the trace's one hop come from that address.
func TestPing6LinkLocalZone(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := c.Links[0]
	out, err := l.B.Run(ctx, "ip", "-6", "-o", "addr", "show", "dev", l.BIf, "scope", "link")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := regexp.MustCompile(`inet6 (fe80:[0-9a-f:]+)/64`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no link-local address on %s: %s", l.BIf, out)
	}
	ll := netip.MustParseAddr(string(m[1]))
	scoped := ll.WithZone(l.AIf).String()

	s := c.Client.Sniff(t, l.AIf, "")
	text, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "2", "-i", "0.05", scoped))
	seen := icmp6Captured(s.Stop())
	if code != 0 || !strings.HasPrefix(text, "PING "+scoped+"("+scoped+") 56 data bytes\n") ||
		strings.Count(text, " ttl=64 time=") != 2 {
		t.Fatalf("exit %d:\n%s", code, text)
	}
	if n := count6(seen, func(x icmp6Seen) bool { return x.typ == 129 && x.src == ll }); n != 2 {
		t.Errorf("capture saw %d echo replies from %v, want 2", n, ll)
	}
	text, code = traceInProc(t, c.Client, "traceroute", "-n", "-q", "1", "-w", "2", scoped)
	hops := parseTrace(t, text)
	if code != 0 || len(hops) != 1 || strings.TrimSuffix(hops[0].from[0], "%"+l.AIf) != ll.String() {
		t.Errorf("exit %d, want 0 and one hop from %v:\n%s", code, ll, text)
	}
}
