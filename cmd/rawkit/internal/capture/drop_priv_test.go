//go:build linux && privileged

package capture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// writableDir returns a directory every user may create files in, as
// /tmp is, for the -w files of the runs as another user.
func writableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rk-capture-") // t.TempDir's parent is private
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCaptureDropsPrivileges: a live rawkit capture, started as root,
// under sudo and as a user with a setcap'd binary, reads packets with no
// capability, no_new_privs set and the invoking user's uid, and its -w
// file belongs to that user; with a bad SUDO_UID it stops with status 2
// and one line, and writes no file.
func TestCaptureDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	launches := clitest.Launches(t)
	dir := writableDir(t)

	refused := filepath.Join(dir, "refused.pcap")
	clitest.CheckFailsClosed(t, launches[0], start, "capture", "-i", "lo", "-c", "5", "-w", refused)
	if _, err := os.Stat(refused); !os.IsNotExist(err) {
		t.Errorf("with a bad SUDO_UID, the -w file: %v, want none", err)
	}

	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			file := filepath.Join(dir, l.Name+".pcap")
			pingLo := func(*os.Process, func()) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if out, err := h.Run(ctx, "ping", "-c", "3", "-i", "0.2", "127.0.0.1"); err != nil {
					t.Errorf("ping: %v\n%s", err, out)
				}
			}
			code, out, errs := clitest.CheckDrops(t, l, start, pingLo, "capture", "-i", "lo", "-c", "5", "-w", file)
			if code != 0 {
				t.Fatalf("status %d, want 0\n%s%s", code, out, errs)
			}
			checkOwner(t, file, l.UID)
		})
	}
}

// TestCaptureReadDropsPrivileges: reading a file (here standard input,
// held open while the status is read) needs no privilege, and capture -r
// holds none while it parses; a drop that fails stops it before it reads.
func TestCaptureReadDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	launches := clitest.Launches(t)
	clitest.CheckFailsClosed(t, launches[0], (*exec.Cmd).Start, "capture", "-r", "-")
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			// Standard input ends once the status is checked: an empty
			// file, which capture reports as such.
			code, _, errs := clitest.CheckDrops(t, l, (*exec.Cmd).Start,
				func(_ *os.Process, closeIn func()) { closeIn() }, "capture", "-r", "-")
			if code != 2 {
				t.Errorf("status %d for an empty file, want 2\n%s", code, errs)
			}
		})
	}
}

// TestCaptureWritesAsUser: under sudo the -w file is opened as the
// invoking user, so a directory only root may write refuses it, with one
// line that does not send the user after CAP_NET_RAW.
func TestCaptureWritesAsUser(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	sudo := clitest.Launches(t)[1]
	dir := t.TempDir() // root's alone
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	file := filepath.Join(dir, "x.pcap")
	cmd := sudo.Command(ctx, nil, "capture", "-i", "lo", "-c", "1", "-w", file)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := h.Do(cmd.Start); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	want := "rawkit capture: creating " + file + ": permission denied\n"
	if code := cmd.ProcessState.ExitCode(); code != 2 || errb.String() != want {
		t.Errorf("status %d (%v), stderr %q; want 2 and %q", code, err, errb.String(), want)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("%s: %v, want no file", file, err)
	}
}

func checkOwner(t *testing.T, file string, uid int) {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Sys().(*syscall.Stat_t).Uid; int(got) != uid {
		t.Errorf("%s belongs to uid %d, want %d", file, got, uid)
	}
	if fi.Size() <= 24 { // a pcap header and no packet
		t.Errorf("%s holds %d bytes: no packet", file, fi.Size())
	}
}
