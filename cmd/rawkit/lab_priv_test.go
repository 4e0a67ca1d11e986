//go:build linux && privileged

package main

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

	"github.com/rawkit/rawkit/internal/netlab"
)

// TestLabUpDelayDown builds `rawkit lab up --routers 3 --delay 10ms`,
// checks that ping from the client to the server takes about 60 ms (10
// ms per router each way), and that `lab down` leaves no namespace and
// no process behind.
func TestLabUpDelayDown(t *testing.T) {
	netlab.Privileged(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "t" + strconv.Itoa(os.Getpid())
	// rawkit runs the test binary as rawkit in the test's namespace.
	rawkit := func(args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, os.Args[0], args...)
		cmd.Env = append(os.Environ(), asMainEnv+"=1")
		return procRun(t, cmd)
	}
	out, code := rawkit("lab", "up", "--name", name, "--routers", "3", "--delay", "10ms")
	t.Cleanup(func() {
		if _, err := os.Stat(labStatePath(name)); err == nil {
			cmd := exec.Command(os.Args[0], "lab", "down", "--name", name)
			cmd.Env = append(os.Environ(), asMainEnv+"=1")
			out, err := cmd.CombinedOutput()
			t.Logf("cleanup: lab down: %v %s", err, out)
		}
	})
	if code != 0 {
		t.Fatalf("lab up: exit %d:\n%s", code, out)
	}
	holder := regexp.MustCompile(`holder pid (\d+)`).FindStringSubmatch(out)
	if holder == nil {
		t.Fatalf("lab up printed no holder pid:\n%s", out)
	}
	pout, code := rawkit("lab", "exec", "--name", name, "client", "--", os.Args[0], "ping", "-n", "-c", "10", "-i", "0.1", "10.0.4.2")
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
