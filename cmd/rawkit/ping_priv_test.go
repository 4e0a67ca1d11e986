//go:build linux && privileged

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/internal/netlab"
)

// pingSeen is an ICMP message in a capture.
type pingSeen struct {
	src, dst netip.Addr
	ttl      int
	typ      int
	id, seq  uint16 // echo fields; for errors, those of the quoted request
}

// pingCaptured decodes the ICMP packets of a capture, independently of
// the code under test.
func pingCaptured(pkts []netlab.Packet) []pingSeen {
	var out []pingSeen
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 20 || b[0]>>4 != 4 || b[9] != 1 {
			continue
		}
		ihl := int(b[0]&15) * 4
		m := b[ihl:]
		if len(m) < 8 {
			continue
		}
		s := pingSeen{src: netip.AddrFrom4([4]byte(b[12:16])), dst: netip.AddrFrom4([4]byte(b[16:20])),
			ttl: int(b[8]), typ: int(m[0])}
		q := m
		if s.typ != 0 && s.typ != 8 && len(m) >= 8+20+8 { // an error: look into the quote
			q = m[8+int(m[8]&15)*4:]
		}
		s.id, s.seq = binary.BigEndian.Uint16(q[4:]), binary.BigEndian.Uint16(q[6:])
		out = append(out, s)
	}
	return out
}

func countSeen(seen []pingSeen, f func(pingSeen) bool) int {
	n := 0
	for _, s := range seen {
		if f(s) {
			n++
		}
	}
	return n
}

var pingSummaryRE = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?`)

// pingSummaryOf reads transmitted, received, duplicates and errors from
// iputils-style output.
func pingSummaryOf(t *testing.T, out string) (tx, rx, dup, errs int) {
	t.Helper()
	m := pingSummaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no statistics line in:\n%s", out)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	return n(m[1]), n(m[2]), n(m[3]), n(m[4])
}

func TestPingChain(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server, router2 := c.Server.Addr(), c.RouterAddr(1)

	t.Run("replies", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "icmp")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "3", "-i", "0.05", server.String()))
		seen := pingCaptured(s.Stop())
		if code != 0 || strings.Count(out, " ttl=61 time=") != 3 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if n := countSeen(seen, func(x pingSeen) bool { return x.typ == 0 && x.src == server && x.ttl == 61 }); n != 3 {
			t.Errorf("capture saw %d replies with ttl 61, want 3", n)
		}
	})
	t.Run("ttl 2", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "icmp")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "3", "-i", "0.05", "-t", "2", server.String()))
		seen := pingCaptured(s.Stop())
		for seq := 1; seq <= 3; seq++ {
			line := fmt.Sprintf("From %s icmp_seq=%d Time to live exceeded\n", router2, seq)
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		if n := countSeen(seen, func(x pingSeen) bool { return x.typ == 11 && x.src == router2 }); n != 3 || code != 1 {
			t.Errorf("exit %d; capture saw %d time exceeded from %v, want 3", code, n, router2)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		s := c.Client.Sniff(t, "eth0", "icmp")
		out, code := procRun(t, rawkitProc(ctx, c.Client, "ping", "-c", "2", "-i", "0.2", c.Unreachable().String()))
		seen := pingCaptured(s.Stop())
		lines := strings.Count(out, "Destination Host Unreachable\n")
		n := countSeen(seen, func(x pingSeen) bool { return x.typ == 3 })
		if lines == 0 || lines != n || code != 1 {
			t.Errorf("exit %d, %d unreachable lines, capture saw %d:\n%s", code, lines, n, out)
		}
		if _, _, _, errs := pingSummaryOf(t, out); errs != n {
			t.Errorf("+%d errors, capture saw %d", errs, n)
		}
	})
}

func TestPingLoss(t *testing.T) {
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p.B.Loss(t, p.BIf, 20)
	s := p.A.Sniff(t, p.AIf, "icmp")
	out, _ := procRun(t, rawkitProc(ctx, p.A, "ping", "-q", "-c", "200", "-i", "0.005", "-W", "1", p.B.Addr().String()))
	seen := pingCaptured(s.Stop())
	tx, rx, _, _ := pingSummaryOf(t, out)
	replies := countSeen(seen, func(x pingSeen) bool { return x.typ == 0 })
	if tx != 200 || rx != replies || replies == 200 || replies < 100 {
		t.Errorf("transmitted %d, received %d; the capture saw %d replies arrive", tx, rx, replies)
	}
}

func TestPingDuplicates(t *testing.T) {
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p.B.Duplicate(t, p.BIf, p.A.Addr())
	s := p.A.Sniff(t, p.AIf, "icmp")
	out, code := procRun(t, rawkitProc(ctx, p.A, "ping", "-c", "20", "-i", "0.02", p.B.Addr().String()))
	seen := pingCaptured(s.Stop())
	tx, rx, dup, _ := pingSummaryOf(t, out)
	perSeq := map[uint16]int{}
	for _, x := range seen {
		if x.typ == 0 {
			perSeq[x.seq]++
		}
	}
	extra := 0
	for _, n := range perSeq {
		extra += n - 1
	}
	// The run ends with the last probe's first reply, as iputils does: the
	// copy of that one may come after the end.
	lines := strings.Count(out, "(DUP!)")
	if code != 0 || tx != 20 || rx != 20 || dup != lines || dup < extra-1 || dup > extra || dup == 0 {
		t.Errorf("exit %d: %d/%d, +%d duplicates, %d DUP! lines; capture saw %d extra replies:\n%s",
			code, tx, rx, dup, lines, extra, out)
	}
}

// Eight rawkit pings and an iputils ping to one target at once: each
// counts exactly its own 50 replies.
func TestPingConcurrentRunsKeepTheirReplies(t *testing.T) {
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target := p.B.Addr().String()
	s := p.A.Sniff(t, p.AIf, "icmp[icmptype] == icmp-echoreply")
	cmds := []*exec.Cmd{p.A.Command(ctx, "ping", "-c", "50", "-i", "0.01", target)}
	for range 8 {
		cmds = append(cmds, rawkitProc(ctx, p.A, "ping", "-q", "-c", "50", "-i", "0.01", target))
	}
	outs := make([]string, len(cmds))
	codes := make([]int, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], codes[i] = procRun(t, c)
		}()
	}
	wg.Wait()
	if n := len(s.Stop()); n != 9*50 {
		t.Errorf("capture saw %d replies, want %d", n, 9*50)
	}
	for i, out := range outs {
		tx, rx, dup, errs := pingSummaryOf(t, out)
		if codes[i] != 0 || tx != 50 || rx != 50 || dup != 0 || errs != 0 {
			t.Errorf("run %d (%s): exit %d, %d/%d +%d dup +%d errors:\n%s", i, cmds[i].Args, codes[i], tx, rx, dup, errs, out)
		}
	}
}

// As user nobody, ping works through a ping socket where
// net.ipv4.ping_group_range admits it, and says how to fix it where not.
func TestPingAsNobody(t *testing.T) {
	if netlab.AsNobody() {
		listenEcho, dropPrivileges = echo.Listen, echo.DropPrivileges
		code, out, errOut := runArgs(t, "rawkit", "ping", "--json", "-c", "2", "-i", "0.05", os.Getenv("PING_TARGET"))
		if os.Getenv("PING_EXPECT") == "works" {
			if code != 0 || !strings.Contains(out, `"mode":"ping"`) || !strings.Contains(out, `"received":2`) {
				t.Fatalf("exit %d, stdout %s, stderr %s", code, out, errOut)
			}
			return
		}
		if code != 2 || !strings.Contains(errOut, "ping_group_range") || !strings.Contains(errOut, "setcap") ||
			strings.Count(errOut, "\n") != 1 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		return
	}
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	target := "PING_TARGET=" + p.B.Addr().String()
	if err := p.A.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	if out, err := netlab.RunAsNobody(t, p.A, "TestPingAsNobody", target, "PING_EXPECT=works"); err != nil {
		t.Fatalf("range open: %v\n%s", err, out)
	}
	if err := p.A.Sysctl("net.ipv4.ping_group_range", "1 0"); err != nil {
		t.Fatal(err)
	}
	if out, err := netlab.RunAsNobody(t, p.A, "TestPingAsNobody", target, "PING_EXPECT=refused"); err != nil {
		t.Fatalf("range closed: %v\n%s", err, out)
	}
}

// A sweep of 127.0.0.0/20 in a namespace of its own: all 4,094 alive,
// and the capture on lo saw a reply from each.
func TestPingSweepLoopback(t *testing.T) {
	netlab.Privileged(t)
	h := netlab.NewHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The capture records each packet on lo once, as it left; keep it
	// small per packet so that a burst of 4,094 fits.
	s := h.SniffWith(t, "lo", "icmp[icmptype] == icmp-echoreply", &netlab.SniffConfig{Snaplen: 96})
	out, code := procRun(t, rawkitProc(ctx, h, "ping", "-q", "-c", "1", "-W", "2", "127.0.0.0/20"))
	seen := pingCaptured(s.Stop())
	if code != 0 || !strings.Contains(out, "4094 alive, 0 unreachable\n") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	from := map[netip.Addr]bool{}
	for _, x := range seen {
		from[x.src] = true
	}
	if len(from) != 4094 || len(seen) != 4094 {
		t.Errorf("capture saw %d replies from %d addresses, want one from each of 4094", len(seen), len(from))
	}
}

// jc --ping, the parser scripts use, reads rawkit's output as it reads
// iputils' in the same situation: the same structure and the same values
// except the measured times.
func TestPingJCParity(t *testing.T) {
	netlab.Privileged(t) // the suite installs jc
	jc, err := exec.LookPath("jc")
	if err != nil {
		t.Fatalf("jc is not installed: %v", err)
	}
	parse := func(text string) (any, bool) {
		cmd := exec.Command(jc, "--ping")
		cmd.Stdin = strings.NewReader(text)
		out, err := cmd.Output()
		if err != nil {
			return nil, false
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("jc printed no JSON: %v\n%s", err, out)
		}
		return maskTimes(v), true
	}
	for _, tc := range pingCases {
		rec, err := os.ReadFile(filepath.Join("testdata", "ping", "iputils", tc.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		iputils := string(rec[:bytes.LastIndexByte(rec[:len(rec)-1], '\n')+1])
		golden, err := os.ReadFile(filepath.Join("testdata", "ping", tc.name+".golden"))
		if err != nil {
			t.Fatal(err)
		}
		want, okWant := parse(iputils)
		got, okGot := parse(string(golden))
		if okWant != okGot || !reflect.DeepEqual(want, got) {
			t.Errorf("%s: jc --ping differs:\n rawkit  %v (parsed %v)\n iputils %v (parsed %v)", tc.name, got, okGot, want, okWant)
		}
	}
}

// maskTimes blanks what jc reports of measured times and timestamps.
func maskTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasPrefix(k, "round_trip_") || k == "time_ms" || k == "timestamp" {
				x[k] = "masked"
				continue
			}
			x[k] = maskTimes(e)
		}
	case []any:
		for i := range x {
			x[i] = maskTimes(x[i])
		}
	}
	return v
}

// A flood counts what the capture saw: every request answered once.
func TestPingFlood(t *testing.T) {
	netlab.Privileged(t)
	p := netlab.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := p.A.Sniff(t, p.AIf, "icmp[icmptype] == icmp-echoreply")
	out, code := procRun(t, rawkitProc(ctx, p.A, "ping", "-f", "-c", "2000", p.B.Addr().String()))
	seen := pingCaptured(s.Stop())
	tx, rx, dup, _ := pingSummaryOf(t, out)
	if code != 0 || tx != 2000 || rx != 2000 || dup != 0 || len(seen) != 2000 {
		t.Errorf("exit %d: %d/%d +%d dup; the capture saw %d replies", code, tx, rx, dup, len(seen))
	}
	if dots := strings.Count(out, "."); dots < 2000 || strings.Count(out, "\b \b") != 2000 {
		t.Errorf("%d dots and %d backspaces for 2000 echoes", dots, strings.Count(out, "\b \b"))
	}
}
