//go:build linux && privileged

package lab

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// The test binary stands in for rawkit lab (and, in the background, for
// rawkit lab hold) in the processes these tests start; the state is in
// the default directory, as a user's labs are.
func init() { clitest.AsMain(New(nil)) }

// labStatePath is where lab up records the lab name.
func labStatePath(name string) string { return store(defaultDir).path(name) }

// These tests run one at a time: TestLabUpDelayDown measures round-trip
// times, which a parallel test's load on a small machine would stretch.

// TestLabUpDelayDown builds `rawkit lab up --routers 3 --delay 10ms`,
// checks that ping from the client to the server takes about 60 ms (10
// ms per router each way), and that `lab down` leaves no namespace and
// no process behind.
func TestLabUpDelayDown(t *testing.T) {
	netlabtest.Privileged(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bin := clitest.BuildRawkit(t) // for rawkit ping in the lab
	name, rawkit, out := labUpForTest(ctx, t, "t", "--routers", "3", "--delay", "10ms")
	holder := regexp.MustCompile(`holder pid (\d+)`).FindStringSubmatch(out)
	if holder == nil {
		t.Fatalf("lab up printed no holder pid:\n%s", out)
	}
	pout, code := rawkit("lab", "exec", "--name", name, "client", "--", bin, "ping", "-n", "-c", "10", "-i", "0.1", "10.0.4.2")
	if code != 0 {
		t.Fatalf("ping in the lab: exit %d:\n%s", code, pout)
	}
	var rtts []float64
	for _, m := range regexp.MustCompile(`time=([0-9.]+) ms`).FindAllStringSubmatch(pout, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		rtts = append(rtts, v)
	}
	if len(rtts) != 10 {
		t.Fatalf("%d replies, want 10:\n%s", len(rtts), pout)
	}
	sort.Float64s(rtts)
	// The least RTT is the lab's: the others add what a loaded machine
	// makes the delay program wait for the CPU.
	if lo := rtts[0]; lo < 55 || lo > 65 {
		t.Errorf("least RTT %.1f ms, want 60 ± 5 ms:\n%s", lo, pout)
	}
	t.Logf("RTT min %.1f, median %.1f, max %.1f ms", rtts[0], rtts[5], rtts[9])
	if out, code := rawkit("lab", "down", "--name", name); code != 0 {
		t.Fatalf("lab down: exit %d:\n%s", code, out)
	}
	if left, _ := netlab.Namespaces(labPrefix(name)); len(left) != 0 {
		t.Errorf("lab down left namespaces %v", left)
	}
	pid, _ := strconv.Atoi(holder[1])
	time.Sleep(50 * time.Millisecond)
	if err := syscall.Kill(pid, 0); err == nil {
		if b, _ := os.ReadFile("/proc/" + holder[1] + "/stat"); !strings.Contains(string(b), ") Z ") {
			t.Errorf("delay process %d still runs after lab down", pid)
		}
	}
	if _, err := os.Stat(labStatePath(name)); err == nil {
		t.Errorf("lab down left %s", labStatePath(name))
	}
}

// labUpForTest runs `rawkit lab up --name NAME ARGS`, NAME being prefix
// and the test's pid, and fails t unless it succeeds; the lab goes down
// when t ends if it is still up. It returns NAME, a runner of rawkit
// commands (the test binary as rawkit, in the test's namespace) and up's
// output.
func labUpForTest(ctx context.Context, t *testing.T, prefix string, args ...string) (string, func(...string) (string, int), string) {
	t.Helper()
	name := prefix + strconv.Itoa(os.Getpid())
	rawkit := func(args ...string) (string, int) {
		return clitest.ProcRun(t, clitest.Command(ctx, exec.CommandContext, args...))
	}
	out, code := rawkit(append([]string{"lab", "up", "--name", name}, args...)...)
	t.Cleanup(func() {
		if _, err := os.Stat(labStatePath(name)); err == nil {
			out, err := clitest.Command(context.Background(), exec.CommandContext, "lab", "down", "--name", name).CombinedOutput()
			t.Logf("cleanup: lab down: %v %s", err, out)
		}
		os.Remove(strings.TrimSuffix(labStatePath(name), ".json") + ".lock") // lab up and down leave it
	})
	if code != 0 {
		t.Fatalf("lab up: exit %d:\n%s", code, out)
	}
	return name, rawkit, out
}

// TestLabMPLS builds a lab whose routers 2 and 3 answer as MPLS routers
// (--mpls) and checks with Linux traceroute -e, which decodes RFC 4950
// on its own, that hop 2's time exceeded messages carry the stack
// 100/200 and hop 3's 16001, and no other hop's any; lab down then
// stops the background process that adds them.
func TestLabMPLS(t *testing.T) {
	netlabtest.Privileged(t)
	if _, err := exec.LookPath("traceroute"); err != nil {
		t.Fatalf("traceroute not installed (scripts/test-privileged.sh installs it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, rawkit, out := labUpForTest(ctx, t, "m", "--routers", "3", "--mpls", "2:100/200", "--mpls", "3:16001")
	if !strings.Contains(out, "rklab-"+name+"-r2  (MPLS 100/200)") {
		t.Errorf("lab up does not show r2's stack:\n%s", out)
	}
	want := map[string]string{
		"1": "", "2": "<MPLS:L=100,E=0,S=0,T=1/L=200,E=0,S=1,T=1>", "3": "<MPLS:L=16001,E=0,S=1,T=1>", "4": "",
	}
	for _, m := range []string{"-U", "-I"} {
		tout, code := rawkit("lab", "exec", "--name", name, "client", "--", "traceroute", "-n", "-e", m, "-w", "2", "10.0.4.2")
		lines := strings.Split(strings.TrimSpace(tout), "\n")
		if code != 0 || len(lines) != 5 {
			t.Fatalf("traceroute %s in the lab: exit %d, want 0 and 4 hops:\n%s", m, code, tout)
		}
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			stack := ""
			if len(f) > 2 && strings.HasPrefix(f[2], "<MPLS:") {
				stack = f[2]
			}
			if w, ok := want[f[0]]; !ok || stack != w {
				t.Errorf("traceroute %s, hop line %q: stack %q, want %q", m, l, stack, w)
			}
		}
	}
	if out, code := rawkit("lab", "down", "--name", name); code != 0 {
		t.Fatalf("lab down: exit %d:\n%s", code, out)
	}
	if left, _ := netlab.Namespaces(labPrefix(name)); len(left) != 0 {
		t.Errorf("lab down left namespaces %v", left)
	}
}
