//go:build linux && privileged

package mtr

import (
	"context"
	"net/netip"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestMtrECMPFlows: on the diamond, one Paris flow keeps one branch for
// 100 rounds; 16 flows find both within 5 rounds, each with its own
// statistics and flows.
func TestMtrECMPFlows(t *testing.T) {
	netlabtest.Privileged(t)
	d := netlabtest.NewDiamond(t)
	dst := d.Server.Addr().String()
	one := mtrDoc(t, d.Client, "-n", "-u", "-c", "100", "-i", "0.01", dst)
	if h := hopOf(t, one, 2); len(h.Responders) != 1 || h.Responders[0].Received != 100 {
		t.Errorf("one flow, hop 2: %+v", h.Responders)
	}
	// 16 flows, 5 rounds: both branches found (the flows' source ports
	// are the kernel's picks: all 16 on one branch has odds of 2^-15,
	// while 8 flows would miss a branch once in 128 runs).
	many := mtrDoc(t, d.Client, "-n", "-u", "--flows", "16", "-c", "5", "-i", "0.05", dst)
	h := hopOf(t, many, 2)
	if len(h.Responders) != 2 {
		t.Fatalf("16 flows, hop 2: %+v", h.Responders)
	}
	flows := 0
	for _, r := range h.Responders {
		flows += len(r.Flows)
		if r.Received != 5*len(r.Flows) {
			t.Errorf("responder %s: %d answers for flows %v", r.Addr, r.Received, r.Flows)
		}
	}
	if flows != 16 {
		t.Errorf("flows over the branches: %d, want 16", flows)
	}
	for _, p := range many.Paths {
		if p.Path[1] == nil {
			t.Errorf("flow %d has no hop 2", p.Flow)
		}
	}
}

// TestMtrECMPBranchLossAndClassic: on the diamond, the up branch drops
// half the time exceeded messages it sends: with 16 flows the loss shows on the
// up responder and on the flows through it, not on the down one; with
// --classic one flow's probes spread over both branches, mixed in one
// hop as mtr shows them.
func TestMtrECMPBranchLossAndClassic(t *testing.T) {
	netlabtest.Privileged(t)
	d := netlabtest.NewDiamond(t)
	dst := d.Server.Addr().String()
	classic := mtrDoc(t, d.Client, "-n", "-u", "--classic", "-c", "20", "-i", "0.01", dst)
	if h := hopOf(t, classic, 2); len(h.Responders) != 2 {
		t.Errorf("--classic, hop 2: %+v, want both branches", h.Responders)
	}
	up, down := d.Branches[0].Addr(), d.Branches[1].Addr()
	// At random, not every 2nd: with nth, a branch that carries two
	// flows would drop the same flow's probe every round, and a flow
	// never answered has no known responder to charge its loss to.
	netlabtest.Rule(t, d.Branches[0], "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded",
		"-m", "statistic", "--mode", "random", "--probability", "0.5", "-j", "DROP")
	doc := mtrDoc(t, d.Client, "-n", "-u", "--flows", "16", "-c", "20", "-i", "0.02", dst)
	h := hopOf(t, doc, 2)
	if len(h.Responders) != 2 || h.Lost == 0 {
		t.Fatalf("hop 2: lost %d, responders %+v", h.Lost, h.Responders)
	}
	for _, r := range h.Responders {
		switch r.Addr {
		case up.String():
			if r.LossPct < 30 || r.LossPct > 70 {
				t.Errorf("up branch %s: loss %.1f%%, want about 50%%", r.Addr, r.LossPct)
			}
		case down.String():
			if r.LossPct != 0 {
				t.Errorf("down branch %s: loss %.1f%%, want 0", r.Addr, r.LossPct)
			}
		default:
			t.Errorf("hop 2 responder %s", r.Addr)
		}
	}
	if h3 := hopOf(t, doc, 3); h3.Lost != 0 {
		t.Errorf("hop 3 lost %d", h3.Lost)
	}
}

// TestMtrTOSRewrite: router 2 sets DSCP 10 on what it forwards; router
// 3's quote shows it, so hop 3 is flagged and no other.
func TestMtrTOSRewrite(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	netlabtest.Rule(t, c.Routers[1], "mangle", "POSTROUTING", "-o", "eth1", "-j", "DSCP", "--set-dscp", "10")
	d := mtrDoc(t, c.Client, "-n", "-c", "3", "-i", "0.05", c.Server.Addr().String())
	for _, h := range d.Hops {
		if h.TOSChanged != (h.TTL == 3) {
			t.Errorf("hop %d: tos changed %v (quoted %v)", h.TTL, h.TOSChanged, h.QuotedTOS)
		}
	}
}

// TestMtrLeakyNAT: behind router 2, a NAT rewrites the probes' source to
// its own address and port and leaks the quotes (emulated where the
// errors are made: Linux's NAT restores them). Every probe still
// matches, and hop 3, the first whose quote shows the rewrite, is
// flagged NAT, for UDP (the checksum's identity recovered), ICMP and TCP.
func TestMtrLeakyNAT(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	nat := netip.MustParseAddr("10.0.3.1") // router 2 toward router 3
	for _, h := range []*netlab.Host{c.Routers[2], c.Routers[3], c.Server} {
		x, err := h.StartLeakyNAT(context.Background(), nat, 61000)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
	}
	for _, m := range []string{"-u", "--icmp", "-T"} {
		d := mtrDoc(t, c.Client, m, "-n", "-c", "3", "-i", "0.05", c.Server.Addr().String())
		if len(d.Hops) != 5 || !d.Reached {
			t.Fatalf("%s: %d hops, reached %v", m, len(d.Hops), d.Reached)
		}
		for _, h := range d.Hops {
			if h.Lost != 0 || h.NAT != (h.TTL == 3) {
				t.Errorf("%s hop %d: lost %d, nat %v", m, h.TTL, h.Lost, h.NAT)
			}
		}
	}
}
