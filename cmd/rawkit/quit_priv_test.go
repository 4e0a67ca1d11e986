//go:build linux && privileged

package main

import (
	"context"
	"os/exec"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestQuitProbes: SIGQUIT leaves traceroute waiting for probes nobody
// answers, and send pacing its packets, running to their normal end
// with no goroutine dump.
func TestQuitProbes(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	p := netlabtest.NewPair(t)
	netlabtest.LossIn(t, p.B, p.BIf, 100) // nothing reaches B
	dst := p.B.Addr().String()
	nothing := func(*exec.Cmd) {}
	ctx := context.Background()
	quitRun(t, p.A.Command(ctx, bin, "traceroute", "-n", "-q", "1", "-m", "2", "-w", "2", dst), true, nothing, 1) // 1: not reached
	quitRun(t, p.A.Command(ctx, bin, "send", "-c", "3", "--rate", "1", "ip(dst="+dst+")/icmp()"), true, nothing, 0)
}
