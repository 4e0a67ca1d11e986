//go:build linux && privileged

package ping

import (
	"os/exec"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPingDropsPrivileges: rawkit ping, started as root, under sudo and
// as a user with a setcap'd binary, runs with no capability, no_new_privs
// set and the invoking user's uid once its sockets are open; with a bad
// SUDO_UID it stops with status 2 and one line, and sends nothing.
func TestPingDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	launches := clitest.Launches(t)
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			code, out, errs := clitest.CheckDrops(t, l, start, nil, "ping", "-c", "3", "-i", "0.2", "127.0.0.1")
			if code != 0 {
				t.Errorf("status %d, want 0\n%s%s", code, out, errs)
			}
		})
	}
	sn := netlabtest.Sniff(t, h, "lo", "icmp")
	clitest.CheckFailsClosed(t, launches[0], start, "ping", "-c", "3", "-i", "0.2", "127.0.0.1")
	if pkts := sn.Stop(); len(pkts) != 0 {
		t.Errorf("with a bad SUDO_UID, %d ICMP packets crossed lo, want none", len(pkts))
	}
}
