//go:build linux && privileged

package screen

import (
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestMtrInTmux runs the real binary's `rawkit mtr` in a terminal in
// the client namespace of a two-router chain, as a user would, and
// drives it through exercise's keys and sizes.
func TestMtrInTmux(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	c := netlabtest.NewChain(t, 2)
	x := newTmux(t, 120, 40, "ip", "netns", "exec", c.Client.Name, "env", "PS1=$ ", "bash", "--norc", "--noprofile", "-i")
	hops := []string{" 1. " + c.Hop(1).String(), " 2. " + c.Hop(2).String(), " 3. " + c.Hop(3).String()}
	exercise(t, x, bin+" mtr -n "+c.Server.Addr().String(), "q", hops...)
}
