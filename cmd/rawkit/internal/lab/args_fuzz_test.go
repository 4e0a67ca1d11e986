package lab

import (
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// FuzzArgs: lab status with any options ends in status 0, 1 or 2 with
// one line, and the options of up, down and exec parse to options or a
// one-line error, never a panic. Only status runs the command: the
// others would build or delete namespaces when run as root.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"--name\x00t1", "--routers\x002\x00--delay\x0010ms\x00--loss\x0050", "--ecmp\x00--mtu\x002:1280",
		"--mpls\x002:100/200\x00--name=x", "--name\x00t\x00client\x00--\x00ping\x00-c1", "--delay\x00NaN"} {
		f.Add(uint8(0), s)
	}
	lab := New(&Env{Dir: f.TempDir()})
	f.Fuzz(func(t *testing.T, sub uint8, s string) {
		subs := []string{"status", "up", "down", "exec"}
		name := subs[int(sub)%len(subs)]
		if name == "status" {
			clitest.FuzzArgs(t, lab, "status\x00"+s)
			return
		}
		if _, _, err := parseLabArgs(name, strings.Split(s, "\x00")); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("%s %q: error of several lines: %v", name, s, err)
		}
	})
}
