//go:build linux && privileged

package traceroute

import (
	"context"
	"os/exec"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/ping"
	"github.com/rawkit/rawkit/internal/netlab"
)

// The privileged tests stay serial (no t.Parallel): they time probes
// and wait for silent hops on a small machine that other tests'
// namespaces would compete for, and traceInProc moves this process's
// thread into a namespace.

// The test binary doubles as rawkit traceroute and rawkit ping (which
// TestTracerouteAndPingKeepTheirReplies runs beside a trace), so that a
// test can start real processes inside a namespace.
func init() { clitest.AsMain(New(nil), ping.New(nil)) }

// rawkitProc returns `rawkit ARGS` run as a process inside h's namespace.
func rawkitProc(ctx context.Context, h *netlab.Host, args ...string) *exec.Cmd {
	return clitest.Command(ctx, h.Command, args...)
}
