//go:build linux && privileged

package ping

import (
	"context"
	"os/exec"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab"
)

// The privileged tests stay serial (no t.Parallel): they count packets
// and time probes (loss, floods, intervals of milliseconds) that other
// tests' namespaces would compete with on a small machine, and those as
// user nobody re-run the test binary under the process's credentials.

// The test binary doubles as rawkit ping, so that a test can start real
// ping processes inside a namespace.
func init() { clitest.AsMain(New(nil)) }

// rawkitProc returns `rawkit ARGS` run as a process inside h's namespace.
func rawkitProc(ctx context.Context, h *netlab.Host, args ...string) *exec.Cmd {
	return clitest.Command(ctx, h.Command, args...)
}
