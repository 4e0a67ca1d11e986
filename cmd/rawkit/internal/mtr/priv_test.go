//go:build linux && privileged

package mtr

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// mtrInProc runs `rawkit mtr ARGS` in this process, from inside h's
// namespace (nil: the current one): the sockets are opened there.
// Privileges are kept.
func mtrInProc(t *testing.T, h *netlab.Host, args ...string) (string, int) {
	t.Helper()
	cmd := New(&Env{DropPrivileges: func() error { return nil }, Resolver: clitest.NoDNS(),
		Getenv: func(string) string { return "" }})
	var out, errOut string
	code := -1
	run := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		code, out, errOut = clitest.RunContext(ctx, t, cmd, args...)
		return nil
	}
	var err error
	if h == nil { // already in the namespace (RunAsNobody)
		err = run()
	} else {
		err = h.Do(run)
	}
	if err != nil {
		t.Fatal(err)
	}
	if errOut != "" {
		t.Logf("%v stderr: %s", args, errOut)
	}
	return out, code
}

// mtrDoc runs rawkit mtr --json and decodes its one document.
func mtrDoc(t *testing.T, h *netlab.Host, args ...string) *jsonDoc {
	t.Helper()
	out, code := mtrInProc(t, h, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("rawkit mtr %v: exit %d\n%s", args, code, out)
	}
	var d jsonDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	return &d
}

func hopOf(t *testing.T, d *jsonDoc, ttl int) *jsonHop {
	t.Helper()
	for i := range d.Hops {
		if d.Hops[i].TTL == ttl {
			return &d.Hops[i]
		}
	}
	t.Fatalf("no hop %d in %+v", ttl, d.Hops)
	return nil
}

// echoRequests counts, in packets captured at the client, the ICMP echo
// requests to dst per TTL.
func echoRequests(pkts []netlab.Packet, dst netip.Addr) map[int]int {
	n := map[int]int{}
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 28 || b[0]>>4 != 4 || b[9] != 1 || b[20] != 8 {
			continue
		}
		if netip.AddrFrom4([4]byte(b[16:20])) == dst {
			n[int(b[8])]++
		}
	}
	return n
}

// TestMtrForwardLoss drops every 4th probe forwarded by router 2 toward
// the server (iptables statistic nth): hops 1 and 2 show no loss, every
// hop after shows its share, and the counts are those the client's
// capture saw leave.
func TestMtrForwardLoss(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	netlabtest.Rule(t, c.Routers[1], "filter", "FORWARD", "-i", "eth0", "-o", "eth1", "-p", "icmp",
		"--icmp-type", "echo-request", "-m", "statistic", "--mode", "nth", "--every", "4", "--packet", "0", "-j", "DROP")
	dst := c.Server.Addr()
	sn := netlabtest.Sniff(t, c.Client, "eth0", "icmp")
	d := mtrDoc(t, c.Client, "-n", "-c", "40", "-i", "0.05", dst.String())
	sent := echoRequests(sn.Stop(), dst)
	if len(d.Hops) != 5 || !d.Reached {
		t.Fatalf("hops %d reached %v", len(d.Hops), d.Reached)
	}
	passed, lost := 0, 0
	for _, h := range d.Hops {
		// What the report counts is what left: 40 rounds, each TTL once.
		if h.Sent != 40 || sent[h.TTL] != 40 {
			t.Errorf("hop %d: sent %d, capture saw %d", h.TTL, h.Sent, sent[h.TTL])
		}
		if h.TTL <= 2 && h.Lost != 0 {
			t.Errorf("hop %d before the lossy router lost %d", h.TTL, h.Lost)
		}
		if h.TTL > 2 {
			passed += h.Sent
			lost += h.Lost
			if h.Lost == 0 || h.RateLimited {
				t.Errorf("hop %d after the lossy router: lost %d, rate limited %v", h.TTL, h.Lost, h.RateLimited)
			}
		}
	}
	// Every 4th probe through router 2, over the 120 probes of TTLs 3-5
	// (and the few of the first round beyond the server that left
	// before its answer was read, which count for the rule but not in
	// the report): a quarter, give or take the first round.
	if lost < 120/4-8 || lost > 120/4+8 {
		t.Errorf("%d of %d probes after router 2 lost, want about a quarter", lost, passed)
	}
}

// TestMtrRateLimitedHop drops every 2nd time exceeded router 2 sends:
// hop 2 shows half its probes lost and the rate-limit flag, the hops
// after it nothing.
func TestMtrRateLimitedHop(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	netlabtest.Rule(t, c.Routers[1], "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded",
		"-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "0", "-j", "DROP")
	d := mtrDoc(t, c.Client, "-n", "-c", "20", "-i", "0.05", c.Server.Addr().String())
	for _, h := range d.Hops {
		switch {
		case h.TTL == 2:
			if h.Lost != 10 || !h.RateLimited {
				t.Errorf("hop 2: lost %d of %d, rate limited %v; want 10 and flagged", h.Lost, h.Sent, h.RateLimited)
			}
		case h.Lost != 0 || h.RateLimited:
			t.Errorf("hop %d: lost %d, rate limited %v", h.TTL, h.Lost, h.RateLimited)
		}
	}
}

// TestMtrSeveralTargets: two HOSTs with -r are probed at once in one
// process (the run takes the time of one), and their reports come one
// after the other, in the order given.
func TestMtrSeveralTargets(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	start := time.Now()
	out, code := mtrInProc(t, c.Client, "-n", "-r", "-c", "5", "-i", "0.2", c.Server.Addr().String(), c.RouterAddr(1).String())
	el := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// One target alone takes 4 intervals and its round trip: 0.8 s.
	if el > 1500*time.Millisecond {
		t.Errorf("two targets took %v: not probed at once", el)
	}
	reports := strings.Split(out, "Start: ")
	if len(reports) != 3 {
		t.Fatalf("%d reports:\n%s", len(reports)-1, out)
	}
	for i, want := range []string{c.Server.Addr().String(), c.RouterAddr(1).String()} {
		lines := strings.Split(strings.TrimSpace(reports[i+1]), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, "|-- "+want+" ") {
			t.Errorf("report %d ends with %q, want hop %s", i+1, last, want)
		}
	}
}
