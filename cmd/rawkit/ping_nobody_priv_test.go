//go:build linux && privileged

package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/internal/netlab"
)

// As user nobody, through a ping socket, across a chain of three routers:
// with -t 2 the second router's time exceeded errors, and to an address
// with no host behind the last router its host unreachable errors, are
// printed as iputils prints them, one per error the capture saw arrive.
func TestPingAsNobodyShowsICMPErrors(t *testing.T) {
	if netlab.AsNobody() {
		listenEcho, dropPrivileges = echo.Listen, echo.DropPrivileges
		args := append([]string{"rawkit", "ping"}, strings.Fields(os.Getenv("PING_ARGS"))...)
		code, out, errOut := runArgs(t, args...)
		want := os.Getenv("PING_LINE")
		n := strings.Count(out, want)
		t.Logf("ERROR_LINES=%d", n)
		if code != 1 || n == 0 {
			t.Fatalf("exit %d, want 1 and lines %q; stdout:\n%s\nstderr: %s", code, want, out, errOut)
		}
		for seq := 1; seq <= n; seq++ {
			line := fmt.Sprintf("From %s icmp_seq=%d %s", os.Getenv("PING_FROM"), seq, want)
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		return
	}
	netlab.Privileged(t)
	c := netlab.NewChain(t, 3)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	router2, router3 := c.RouterAddr(1), c.RouterAddr(2)
	cases := []struct {
		name, args, line string
		typ              int
		from             string
	}{
		{"ttl 2", "-c 3 -i 0.05 -t 2 " + c.Server.Addr().String(), "Time to live exceeded\n", 11, router2.String()},
		{"unreachable", "-c 2 -i 0.2 " + c.Unreachable().String(), "Destination Host Unreachable\n", 3, router3.String()},
	}
	linesRE := regexp.MustCompile(`ERROR_LINES=(\d+)`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := c.Client.Sniff(t, "eth0", "icmp")
			out, err := netlab.RunAsNobody(t, c.Client, "TestPingAsNobodyShowsICMPErrors",
				"PING_ARGS="+tc.args, "PING_LINE="+tc.line, "PING_FROM="+tc.from)
			seen := pingCaptured(s.Stop())
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := linesRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no line count in:\n%s", out)
			}
			lines, _ := strconv.Atoi(string(m[1]))
			n := countSeen(seen, func(x pingSeen) bool { return x.typ == tc.typ && x.src.String() == tc.from })
			if lines == 0 || lines != n {
				t.Errorf("%d %q lines, capture saw %d type %d errors from %s", lines, tc.line, n, tc.typ, tc.from)
			}
		})
	}
}
