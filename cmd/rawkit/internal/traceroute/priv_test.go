//go:build linux && privileged

package traceroute

import (
	"context"
	"encoding/binary"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// traceInProc runs `rawkit traceroute ARGS` in this process, from inside
// h's namespace: the sockets are opened there. Privileges are kept.
func traceInProc(t *testing.T, h *netlab.Host, args ...string) (string, int) {
	t.Helper()
	traceroute := New(&Env{DropPrivileges: func() error { return nil }})
	var out, errOut string
	code := -1
	err := h.Do(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code, out, errOut = clitest.RunContext(ctx, t, traceroute, args...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if errOut != "" {
		t.Logf("%v stderr: %s", args, errOut)
	}
	return out, code
}

// traceLine is a hop line read back from traceroute's text: per probe
// the responder ("" for *) and the annotation.
type traceLine struct {
	ttl   int
	from  []string
	notes []string
}

var traceRTT = regexp.MustCompile(`^\d+\.\d{3}$`)

// parseTrace reads hop lines as traceroute prints them with -n.
func parseTrace(t *testing.T, out string) []traceLine {
	t.Helper()
	var hops []traceLine
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "traceroute to ") {
			continue
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		ttl, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("not a hop line: %q", l)
		}
		h := traceLine{ttl: ttl}
		cur := ""
		for i := 1; i < len(f); i++ {
			switch w := f[i]; {
			case w == "*":
				h.from, h.notes = append(h.from, ""), append(h.notes, "")
			case traceRTT.MatchString(w):
				h.from, h.notes = append(h.from, cur), append(h.notes, "")
				i++ // "ms"
			case strings.HasPrefix(w, "!") || strings.HasPrefix(w, "F="):
				h.notes[len(h.notes)-1] += w
			case strings.HasPrefix(w, "<"):
			default:
				cur = w
			}
		}
		hops = append(hops, h)
	}
	return hops
}

func TestTracerouteChainMethods(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 8)
	server := c.Server.Addr()
	for _, m := range []struct{ name, flag, filter string }{
		{"udp", "-U", "udp"}, {"icmp", "-I", "icmp[0] == 8"}, {"tcp", "-T", "tcp[13] == 2"},
	} {
		t.Run(m.name, func(t *testing.T) {
			s := netlabtest.Sniff(t, c.Client, "eth0", "dst host "+server.String()+" and "+m.filter)
			out, code := traceInProc(t, c.Client, "-n", m.flag, "-w", "2", server.String())
			probes := s.Stop()
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 9 {
				t.Fatalf("exit %d, %d hops, want 0 and 9:\n%s", code, len(hops), out)
			}
			for i, h := range hops {
				want := c.Hop(i + 1).String()
				if h.ttl != i+1 || len(h.from) != 3 {
					t.Fatalf("hop %d: %+v", i+1, h)
				}
				for _, f := range h.from {
					if f != want {
						t.Errorf("hop %d answered by %q, want %s:\n%s", i+1, f, want, out)
					}
				}
			}
			checkParisProbes(t, probes, m.name)
		})
	}
}

// checkParisProbes checks on the capture that the probes of one trace
// all have the same flow fields (addresses, ports, ICMP checksum), that
// the TTLs start at 1, and that every TTL has 3 probes.
func checkParisProbes(t *testing.T, pkts []netlab.Packet, method string) {
	t.Helper()
	ttls := map[int]int{}
	flows := map[string]bool{}
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 28 {
			continue
		}
		ttls[int(b[8])]++
		l4 := b[int(b[0]&15)*4:]
		switch method {
		case "icmp":
			flows[string(l4[0:4])] = true // type, code, checksum
		default:
			flows[string(l4[0:4])] = true // ports
		}
	}
	if len(flows) != 1 {
		t.Errorf("%s probes had %d distinct flow fields on the wire, want 1", method, len(flows))
	}
	for ttl := 1; ttl <= 9; ttl++ {
		if ttls[ttl] != 3 {
			t.Errorf("capture: %d probes with TTL %d, want 3", ttls[ttl], ttl)
		}
	}
}

// TestTracerouteMatchesLinuxTraceroute runs Linux traceroute and rawkit
// on the same chain and compares the text, round trips aside.
func TestTracerouteMatchesLinuxTraceroute(t *testing.T) {
	netlabtest.Privileged(t)
	if _, err := exec.LookPath("traceroute"); err != nil {
		t.Fatalf("traceroute not installed (scripts/test-privileged.sh installs it): %v", err)
	}
	c := netlabtest.NewChain(t, 3)
	netlabtest.Rule(t, c.Routers[0], "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-j", "DROP")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rtt := regexp.MustCompile(`\d+\.\d{3} ms`)
	for _, args := range [][]string{
		{"-n", c.Server.Addr().String()},
		{"-n", "-I", "-q", "2", c.Server.Addr().String()},
		{"-n", "-T", "-m", "6", c.Server.Addr().String()},
		{"-n", "-q", "1", c.Unreachable().String()},
		{"-n", "-f", "2", c.Server.Addr().String(), "100"},
	} {
		want, err := c.Client.Run(ctx, "traceroute", args...)
		if err != nil {
			t.Fatalf("traceroute %v: %v", args, err)
		}
		got, _ := clitest.ProcRun(t, rawkitProc(ctx, c.Client, append([]string{"traceroute"}, args...)...))
		w, g := rtt.ReplaceAllString(string(want), "X ms"), rtt.ReplaceAllString(got, "X ms")
		if w != g {
			t.Errorf("traceroute %v:\nLinux traceroute:\n%s\nrawkit:\n%s", args, want, got)
		}
	}
}

func TestTracerouteECMPParisVersusClassic(t *testing.T) {
	netlabtest.Privileged(t)
	d := netlabtest.NewDiamond(t)
	server := d.Server.Addr().String()
	branches := map[string]bool{d.Branches[0].Addr().String(): true, d.Branches[1].Addr().String(): true}
	mixedTraces := func(classic bool) (int, map[string]bool) {
		return diamondTraces(t, d, branches, server, classic, "-n", "-w", "1", server)
	}
	if mixed, used := mixedTraces(false); mixed != 0 {
		t.Errorf("Paris mode: %d of 20 traces mixed the branches at hop 2 (branches used: %v)", mixed, used)
	} else {
		t.Logf("Paris mode: every trace kept one branch; branches used over 20 traces: %v", used)
	}
	mixed, _ := mixedTraces(true)
	if mixed == 0 {
		t.Errorf("classic mode: no trace of 20 mixed the branches at hop 2; the diamond does not balance")
	}
	t.Logf("classic mode: %d of 20 traces mixed the branches at hop 2", mixed)
}

func TestTracerouteSilentRouter(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	netlabtest.Rule(t, c.Routers[1], "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-j", "DROP")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", c.Server.Addr().String()))
	hops := parseTrace(t, out)
	if code != 0 || len(hops) != 5 {
		t.Fatalf("exit %d, %d hops, want 0 and 5:\n%s", code, len(hops), out)
	}
	for i, h := range hops {
		for _, f := range h.from {
			want := c.Hop(i + 1).String()
			if i == 1 {
				want = ""
			}
			if f != want {
				t.Errorf("hop %d: %q, want %q:\n%s", i+1, f, want, out)
			}
		}
	}
	if !strings.Contains(out, "\n 2  * * *\n") {
		t.Errorf("no silent hop line:\n%s", out)
	}
	t.Logf("with a silent hop the trace took %v", time.Since(start))
}

func TestTracerouteMTU(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Link 2 joins router 2 and router 3: router 2 cannot forward more
	// than 1280 bytes, so hop 3 is the first reached at 1280.
	if err := c.Links[2].SetMTU(ctx, 1280); err != nil {
		t.Fatal(err)
	}
	s := netlabtest.Sniff(t, c.Client, "eth0", "icmp[0] == 3 and icmp[1] == 4")
	out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", "--mtu", c.Server.Addr().String()))
	frag := s.Stop()
	hops := parseTrace(t, out)
	if code != 0 || len(hops) != 5 {
		t.Fatalf("exit %d, %d hops, want 0 and 5:\n%s", code, len(hops), out)
	}
	if hops[0].notes[0] != "F=1500" || hops[2].notes[0] != "F=1280" {
		t.Errorf("want F=1500 at hop 1 and F=1280 at hop 3:\n%s", out)
	}
	for i, h := range hops {
		if h.from[0] != c.Hop(i+1).String() {
			t.Errorf("hop %d from %q:\n%s", i+1, h.from[0], out)
		}
	}
	// The oracle: router 2 told the client the next-hop MTU was 1280.
	ok := false
	for _, p := range frag {
		b := p.Network()
		if len(b) >= 28 && netip.AddrFrom4([4]byte(b[12:16])) == c.RouterAddr(1) &&
			binary.BigEndian.Uint16(b[20+6:]) == 1280 {
			ok = true
		}
	}
	if !ok {
		t.Errorf("capture: no fragmentation needed with MTU 1280 from %v (%d seen)", c.RouterAddr(1), len(frag))
	}
}

// diamondTraces runs 20 traces with args (and --classic) from the
// diamond's client and returns how many had probes of hop 2 answered by
// both branches, and which branches answered at all. Every trace must
// reach server as hop 4.
func diamondTraces(t *testing.T, d *netlab.Diamond, branches map[string]bool, server string, classic bool, args ...string) (mixed int, used map[string]bool) {
	t.Helper()
	used = map[string]bool{}
	args = slices.Clone(args)
	if classic {
		args = append(args, "--classic")
	}
	for range 20 {
		out, code := traceInProc(t, d.Client, args...)
		hops := parseTrace(t, out)
		if code != 0 || len(hops) != 4 || hops[3].from[0] != server {
			t.Fatalf("%v: exit %d, %d hops, want 0 and 4 ending at %v:\n%s", args, code, len(hops), server, out)
		}
		seen := map[string]bool{}
		for _, f := range hops[1].from {
			if !branches[f] {
				t.Fatalf("hop 2 answered by %q, not a branch router:\n%s", f, out)
			}
			seen[f], used[f] = true, true
		}
		if len(seen) > 1 {
			mixed++
		}
	}
	return mixed, used
}
