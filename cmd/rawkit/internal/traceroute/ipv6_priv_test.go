//go:build linux && privileged

package traceroute

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestTraceroute6ChainMethods traces a dual-stack chain of 3 routers over
// IPv6 with each method: every hop in order, and on the wire one flow
// (addresses, flow label, ports or ICMPv6 checksum) for all probes, hop
// limits 1 to 4, and every time exceeded quoting a probe of that flow.
func TestTraceroute6ChainMethods(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	server := c.Server.Addr6()
	for _, m := range []struct{ name, flag string }{{"udp", "-U"}, {"icmp", "-I"}, {"tcp", "-T"}} {
		t.Run(m.name, func(t *testing.T) {
			s := netlabtest.Sniff(t, c.Client, "eth0", "")
			out, code := traceInProc(t, c.Client, "-n", m.flag, "-w", "2", server.String())
			pkts := s.Stop()
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 4 {
				t.Fatalf("exit %d, %d hops, want 0 and 4:\n%s", code, len(hops), out)
			}
			for i, h := range hops {
				want := c.Hop6(i + 1).String()
				if h.ttl != i+1 || len(h.from) != 3 {
					t.Fatalf("hop %d: %+v", i+1, h)
				}
				for _, f := range h.from {
					if f != want {
						t.Errorf("hop %d answered by %q, want %s:\n%s", i+1, f, want, out)
					}
				}
			}
			flow := checkParisProbes6(t, pkts, server.As16(), m.name)
			for _, x := range probetest.Captured6(pkts) {
				if x.Type == 3 && x.QuotedFlow != flow {
					t.Errorf("time exceeded from %v quotes flow label %#x, the probes carry %#x", x.Src, x.QuotedFlow, flow)
				}
			}
		})
	}
}

// checkParisProbes6 checks the captured probes to dst: one flow label
// and one set of flow fields, 3 probes at each hop limit from 1 to 4.
// It returns the flow label.
func checkParisProbes6(t *testing.T, pkts []netlab.Packet, dst [16]byte, method string) uint32 {
	t.Helper()
	hlims := map[int]int{}
	flows := map[string]bool{}
	labels := map[uint32]bool{}
	var label uint32
	for _, p := range pkts {
		b := p.IPv6()
		if b == nil || [16]byte(b[24:40]) != dst || len(b) < 44 {
			continue
		}
		next := b[6]
		if (method == "udp" && next != 17) || (method == "tcp" && next != 6) ||
			(method == "icmp" && (next != 58 || b[40] != 128)) {
			continue
		}
		if method == "tcp" && b[40+13] != 0x02 {
			continue // the kernel's RST to the SYN-ACK
		}
		hlims[int(b[7])]++
		label = binary.BigEndian.Uint32(b) & 0xfffff
		labels[label] = true
		flows[string(b[40:44])] = true // ports, or ICMPv6 type, code and checksum
	}
	if len(flows) != 1 || len(labels) != 1 {
		t.Errorf("%s probes had %d distinct flow fields and %d flow labels on the wire, want 1 and 1", method, len(flows), len(labels))
	}
	for h := 1; h <= 4; h++ {
		if hlims[h] != 3 {
			t.Errorf("capture: %d %s probes with hop limit %d, want 3", hlims[h], method, h)
		}
	}
	return label
}

// TestTraceroute6MTU: a 1280-byte link after router 2; --mtu marks hop 3
// with F=1280, from router 2's packet too big, which the capture sees.
func TestTraceroute6MTU(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Links[2].SetMTU(ctx, 1280); err != nil {
		t.Fatal(err)
	}
	s := netlabtest.Sniff(t, c.Client, "eth0", "")
	out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", "--mtu", c.Server.Addr6().String()))
	seen := probetest.Captured6(s.Stop())
	hops := parseTrace(t, out)
	if code != 0 || len(hops) != 4 {
		t.Fatalf("exit %d, %d hops, want 0 and 4:\n%s", code, len(hops), out)
	}
	if hops[0].notes[0] != "F=1500" || hops[2].notes[0] != "F=1280" {
		t.Errorf("want F=1500 at hop 1 and F=1280 at hop 3:\n%s", out)
	}
	for i, h := range hops {
		if h.from[0] != c.Hop6(i+1).String() {
			t.Errorf("hop %d from %q:\n%s", i+1, h.from[0], out)
		}
	}
	if n := probetest.Count(seen, func(x probetest.ICMP6) bool { return x.Type == 2 && x.Src == c.RouterAddr6(1) && x.MTU == 1280 }); n == 0 {
		t.Errorf("capture: no packet too big with MTU 1280 from %v", c.RouterAddr6(1))
	}
	// With -F and without --mtu, a probe too big for the link ends the
	// trace at router 2 with !F-1280, as traceroute -6 -F prints it.
	out, code = clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", "-F", "-q", "1", c.Server.Addr6().String(), "1400"))
	hops = parseTrace(t, out)
	if code != 1 || len(hops) != 3 || hops[2].from[0] != c.RouterAddr6(1).String() || hops[2].notes[0] != "!F-1280" {
		t.Errorf("exit %d, want 1 and hop 3 from %v with !F-1280:\n%s", code, c.RouterAddr6(1), out)
	}
	// Without -F, now that the kernel has learned the path MTU of 1280
	// (IPV6_MTU), the probes leave in fragments that fit it and reach
	// the server, as traceroute -6's do once its kernel has learned it.
	out, code = clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", "-q", "1", c.Server.Addr6().String(), "1400"))
	hops = parseTrace(t, out)
	if code != 0 || len(hops) != 4 || hops[3].from[0] != c.Server.Addr6().String() {
		t.Errorf("exit %d, want 0 and hop 4 from %v:\n%s", code, c.Server.Addr6(), out)
	}
}

// TestTraceroute6LinkLocalZone traces router 1's link-local address
// scoped to the client's interface (fe80::...%IFACE): the zone picks the
// link, and the trace's one hop is that address. (ping's half of this
// test is TestPing6LinkLocalZone.)
func TestTraceroute6LinkLocalZone(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := c.Links[0]
	ll := probetest.LinkLocal(ctx, t, l.B, l.BIf)
	scoped := ll.WithZone(l.AIf).String()

	text, code := traceInProc(t, c.Client, "-n", "-q", "1", "-w", "2", scoped)
	hops := parseTrace(t, text)
	if code != 0 || len(hops) != 1 || strings.TrimSuffix(hops[0].from[0], "%"+l.AIf) != ll.String() {
		t.Errorf("exit %d, want 0 and one hop from %v:\n%s", code, ll, text)
	}
}
