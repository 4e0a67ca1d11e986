//go:build linux && privileged

package endpoint

import (
	"net"
	"os/exec"
	"testing"

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
