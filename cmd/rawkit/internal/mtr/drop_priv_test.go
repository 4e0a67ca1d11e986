//go:build linux && privileged

package mtr

import (
	"os/exec"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestMtrDropsPrivileges: rawkit mtr, started as root, under sudo and as
// a user with a setcap'd binary, runs with no capability, no_new_privs
// set and the invoking user's uid once its sockets are open; with a bad
// SUDO_UID it stops with status 2 and one line, and sends no probe.
func TestMtrDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	launches := clitest.Launches(t)
	args := []string{"mtr", "-n", "-r", "-c", "2", "-i", "0.5", "-Z", "1", "127.0.0.1"}

	// Opening a socket, raw checks its time stamps with a datagram to
	// itself (same port both ways): set-up, not a probe.
	sn := netlabtest.Sniff(t, h, "lo", "not (udp and udp[0:2] = udp[2:2])")
	clitest.CheckFailsClosed(t, launches[0], start, args...)
	if pkts := sn.Stop(); len(pkts) != 0 {
		t.Errorf("with a bad SUDO_UID, %d packets crossed lo, want none", len(pkts))
	}

	// No answer comes back, so each run waits while the check reads
	// its status.
	netlabtest.LossIn(t, h, "lo", 100)
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			code, out, errs := clitest.CheckDrops(t, l, start, nil, args...)
			if code != 1 { // nothing reached, as every answer is lost
				t.Errorf("status %d, want 1\n%s%s", code, out, errs)
			}
		})
	}
}
