//go:build linux && privileged

package send

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestSendDropsPrivileges: rawkit send, started as root, under sudo and
// as a user with a setcap'd binary, sends with no capability,
// no_new_privs set and the invoking user's uid once its sockets are
// open, and its -w file is that user's; with a bad SUDO_UID it stops with status 2 and one line, and
// sends nothing.
func TestSendDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	launches := clitest.Launches(t)
	args := []string{"send", "-c", "20", "-i", "0.05", "ip(dst=127.0.0.1)/icmp(id=7)"}

	sn := netlabtest.Sniff(t, h, "lo", "icmp")
	clitest.CheckFailsClosed(t, launches[0], start, args...)
	if pkts := sn.Stop(); len(pkts) != 0 {
		t.Errorf("with a bad SUDO_UID, %d ICMP packets crossed lo, want none", len(pkts))
	}
	dir, err := os.MkdirTemp("", "rk-send-") // t.TempDir's parent is private
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			// -w is opened once the privileges are gone: the file is
			// the invoking user's.
			file := filepath.Join(dir, l.Name+".pcap")
			code, out, errs := clitest.CheckDrops(t, l, start, nil, append(args, "-w", file)...)
			if code != 0 {
				t.Fatalf("status %d, want 0\n%s%s", code, out, errs)
			}
			fi, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if uid := fi.Sys().(*syscall.Stat_t).Uid; int(uid) != l.UID {
				t.Errorf("%s belongs to uid %d, want %d", file, uid, l.UID)
			}
		})
	}
}
