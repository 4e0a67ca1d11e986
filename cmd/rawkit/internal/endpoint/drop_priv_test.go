//go:build linux && privileged

package endpoint

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestServeDropsPrivileges: rawkit serve, started as root, under sudo
// and as a user with a setcap'd binary, serves with no capability,
// no_new_privs set and the invoking user's uid once it listens; with a
// bad SUDO_UID it stops with status 2 and one line.
func TestServeDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	launches := clitest.Launches(t)
	clitest.CheckFailsClosed(t, launches[0], start, "serve", "tcp", "127.0.0.1:0")
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			code, out, errs := clitest.CheckDrops(t, l, start, clitest.Interrupt, "serve", "tcp", "127.0.0.1:0")
			if code != 0 {
				t.Errorf("status %d after Ctrl-C, want 0\n%s%s", code, out, errs)
			}
		})
	}
}

// TestServeUnixAsUser: under sudo, serve unix binds as the invoking
// user, so the socket file is theirs and is gone after Ctrl-C (a
// root-owned one would outlive the dropped server in a sticky /tmp).
func TestServeUnixAsUser(t *testing.T) {
	netlabtest.Privileged(t)
	dir, err := os.MkdirTemp("", "rk-serve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "echo.sock")
	sudo := clitest.Launches(t)[1]
	owner := func(p *os.Process, closeIn func()) {
		// serve unix drops before it binds (the file must be the user's),
		// so the drop CheckDrops waited for can come before the file:
		// give the bind a moment.
		fi, err := os.Lstat(sock)
		for end := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(end); fi, err = os.Lstat(sock) {
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("while serving: %v", err)
		} else if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != clitest.Nobody {
			t.Errorf("%s belongs to uid %d, want %d", sock, uid, clitest.Nobody)
		}
		clitest.Interrupt(p, closeIn)
	}
	code, out, errs := clitest.CheckDrops(t, sudo, (*exec.Cmd).Start, owner, "serve", "unix", sock)
	if code != 0 {
		t.Errorf("status %d after Ctrl-C, want 0\n%s%s", code, out, errs)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("after the server ended, %s: %v, want no file", sock, err)
	}
}

// TestConnectDropsPrivileges: rawkit connect, started the same ways,
// relays with no capability, no_new_privs set and the invoking user's
// uid once connected; with a bad SUDO_UID it stops with status 2 and one
// line.
func TestConnectDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	start := func(c *exec.Cmd) error { return h.Do(c.Start) }
	var ln net.Listener
	if err := h.Do(func() (err error) { ln, err = net.Listen("tcp", "127.0.0.1:0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { // hold the connection until the client closes it
				defer c.Close()
				_, _ = c.Read(make([]byte, 64))
			}()
		}
	}()
	addr := ln.Addr().String()
	launches := clitest.Launches(t)
	clitest.CheckFailsClosed(t, launches[0], start, "connect", "tcp", addr)
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			code, out, errs := clitest.CheckDrops(t, l, start, clitest.Interrupt, "connect", "tcp", addr)
			if code != 0 {
				t.Errorf("status %d after Ctrl-C, want 0\n%s%s", code, out, errs)
			}
		})
	}
}
