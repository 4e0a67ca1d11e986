//go:build linux && privileged

package mtr

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
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
		// What the report counts is what left: 40 rounds, each TTL once
		// (the first round's probes beyond the server left too).
		if h.Sent != 40 || sent[h.TTL] < 40 {
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
	// (and the 26 of the first round beyond the server, which count
	// for the rule but not in the report): a quarter, give or take the
	// first round.
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

var number = regexp.MustCompile(`[0-9]+\.[0-9]+%?|[0-9]+`)

// masked is a report with its Start line dropped and every number N.
func masked(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(l, "Start: ") {
			continue
		}
		out = append(out, number.ReplaceAllStringFunc(l, func(m string) string {
			return strings.Repeat("N", len(m))
		}))
	}
	return strings.Join(out, "\n")
}

// TestMtrReportParity: Debian's mtr 0.95 and rawkit mtr print the same
// -r report on the same path, numbers masked (their widths kept); the
// same JSON keys and types, CSV header and columns, XML tags.
func TestMtrReportParity(t *testing.T) {
	netlabtest.Privileged(t)
	mtrBin := netlabtest.NeedTool(t, "mtr")
	c := netlabtest.NewChain(t, 3)
	dst := c.Server.Addr().String()
	peer := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// mtr waits a fixed grace (-G, 5 s) after its last round;
		// half a second is plenty on this lab and keeps the test short.
		cmd := c.Client.Command(ctx, mtrBin, append([]string{"-G", "0.5"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("mtr %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, args := range [][]string{{"-n", "-r", "-c", "20", "-i", "0.1"}, {"-n", "-w", "-c", "5", "-i", "0.1"},
		{"-n", "-r", "-o", "LDRSNBAWVGJMXI", "-c", "5", "-i", "0.1"}} {
		theirs := peer(append(args, dst)...)
		ours, code := mtrInProc(t, c.Client, append(args, dst)...)
		if code != 0 || masked(ours) != masked(theirs) {
			t.Errorf("%v: exit %d\nrawkit:\n%s\nmtr:\n%s", args, code, ours, theirs)
		}
	}
	// JSON: same keys, same types.
	shape := func(s string) string {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		return jsonShape(v)
	}
	theirs := peer("-n", "-j", "-c", "3", "-i", "0.1", dst)
	ours, _ := mtrInProc(t, c.Client, "-n", "-j", "-c", "3", "-i", "0.1", dst)
	if shape(ours) != shape(theirs) {
		t.Errorf("-j shapes differ:\nrawkit %s\nmtr    %s", shape(ours), shape(theirs))
	}
	if squashed(ours) != squashed(theirs) {
		t.Errorf("-j text differs:\nrawkit:\n%s\nmtr:\n%s", ours, theirs)
	}
	for _, f := range []string{"-C", "-x"} {
		theirs := peer("-n", f, "-c", "3", "-i", "0.1", dst)
		ours, _ := mtrInProc(t, c.Client, "-n", f, "-c", "3", "-i", "0.1", dst)
		if squashed(ours) != squashed(theirs) {
			t.Errorf("%s differs:\nrawkit:\n%s\nmtr:\n%s", f, ours, theirs)
		}
	}
}

// squashed is masked with every number one N: JSON's reals have no
// fixed width.
func squashed(s string) string { return number.ReplaceAllString(s, "N") }

// jsonShape prints v's keys and value types, sorted, as one string.
func jsonShape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var parts []string
		for k, e := range x {
			parts = append(parts, k+":"+jsonShape(e))
		}
		sortStrings(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + jsonShape(x[0]) + "]"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "null"
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestMtrReplay: --replay of a recording prints the report the live run
// printed, byte for byte.
func TestMtrReplay(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	rec := filepath.Join(t.TempDir(), "run.jsonl")
	for _, f := range []string{"-r", "-j", "-C", "-x", "--json"} {
		live, code := mtrInProc(t, c.Client, "-n", f, "-c", "5", "-i", "0.05", "--record", rec, c.Server.Addr().String())
		if code != 0 {
			t.Fatalf("%s: exit %d", f, code)
		}
		again, code := mtrInProc(t, c.Client, "-n", f, "--replay", rec)
		if code != 0 || again != live {
			t.Errorf("%s replay (exit %d):\n%s\nlive:\n%s", f, code, again, live)
		}
	}
	// A recording cut short is refused.
	b, _ := os.ReadFile(rec)
	cut := filepath.Join(t.TempDir(), "cut.jsonl")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	if out, code := mtrInProc(t, c.Client, "-n", "-r", "--replay", cut); code != 2 || out != "" {
		t.Errorf("truncated replay: exit %d, %q", code, out)
	}
}

// TestMtrUnprivileged: as nobody with only ping_group_range open, rawkit
// mtr says it runs unprivileged and finds the hops raw mode finds, with
// ICMP (ping sockets) and UDP (the error queue), over IPv4 and IPv6;
// every probe it counts is one the client's capture saw leave.
func TestMtrUnprivileged(t *testing.T) {
	if netlabtest.AsNobody() {
		args := append(strings.Fields(os.Getenv("MTR_ARGS")), "-n", "-c", "5", "-i", "0.05", "--json", os.Getenv("MTR_DST"))
		out, code := mtrInProc(t, nil, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		os.Stdout.WriteString("MTRDOC " + out) // for the parent: one line
		return
	}
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"--icmp", "-u"} {
		for _, dst := range []netip.Addr{c.Server.Addr(), c.Server.Addr6()} {
			rawDoc := mtrDoc(t, c.Client, method, "-n", "-c", "3", "-i", "0.05", dst.String())
			sn := netlabtest.Sniff(t, c.Client, "eth0", "icmp or icmp6 or udp")
			out, err := netlabtest.RunAsNobody(t, c.Client, t.Name(), "MTR_DST="+dst.String(), "MTR_ARGS="+method)
			pkts := sn.Stop()
			if err != nil {
				t.Fatalf("as nobody: %v\n%s", err, out)
			}
			_, doc, ok := strings.Cut(string(out), "MTRDOC ")
			doc, _, _ = strings.Cut(doc, "\n")
			var d jsonDoc
			if err := json.Unmarshal([]byte(doc), &d); !ok || err != nil {
				t.Fatalf("no document from the child: %v\n%s", err, out)
			}
			if d.Mode != "unprivileged" || rawDoc.Mode != "raw" || !d.Reached || len(d.Hops) != len(rawDoc.Hops) ||
				d.Method != rawDoc.Method {
				t.Fatalf("%s %v: unprivileged %+v\nraw %+v", method, dst, d, rawDoc)
			}
			for i, h := range d.Hops {
				r := rawDoc.Hops[i]
				if len(h.Responders) != 1 || h.Responders[0].Addr != r.Responders[0].Addr || h.Sent != 5 || h.Lost != 0 {
					t.Errorf("%s %v hop %d: unprivileged %+v, raw %+v", method, dst, h.TTL, h, r)
				}
			}
			if n := probesSent(pkts, dst); n[1] != 5 || n[2] != 5 || n[4] < 5 {
				t.Errorf("%s %v: capture saw probes per TTL %v", method, dst, n)
			}
		}
	}
}

// probesSent counts the ICMP echo requests and UDP datagrams to dst
// per TTL (hop limit) in packets captured at the client.
func probesSent(pkts []netlab.Packet, dst netip.Addr) map[int]int {
	n := map[int]int{}
	for _, p := range pkts {
		b := p.Network()
		switch {
		case len(b) >= 28 && b[0]>>4 == 4 && (b[9] == 17 || b[9] == 1 && b[20] == 8):
			if netip.AddrFrom4([4]byte(b[16:20])) == dst {
				n[int(b[8])]++
			}
		case len(b) >= 48 && b[0]>>4 == 6 && (b[6] == 17 || b[6] == 58 && b[40] == 128):
			if netip.AddrFrom16([16]byte(b[24:40])) == dst {
				n[int(b[7])]++
			}
		}
	}
	return n
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
