//go:build linux && privileged

package ping

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// As user nobody, through a ping socket, across a chain of three routers:
// with -t 2 the second router's time exceeded errors, and to an address
// with no host behind the last router its host unreachable errors, are
// printed as iputils prints them, one per error the capture saw arrive.
func TestPingAsNobodyShowsICMPErrors(t *testing.T) {
	if netlabtest.AsNobody() {
		code, out, errOut := clitest.Run(t, New(nil), strings.Fields(os.Getenv("PING_ARGS"))...)
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
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
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
			s := netlabtest.Sniff(t, c.Client, "eth0", "icmp")
			out, err := netlabtest.RunAsNobody(t, c.Client, "TestPingAsNobodyShowsICMPErrors",
				"PING_ARGS="+tc.args, "PING_LINE="+tc.line, "PING_FROM="+tc.from)
			seen := probetest.Captured(s.Stop())
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := linesRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no line count in:\n%s", out)
			}
			lines, _ := strconv.Atoi(string(m[1]))
			n := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == tc.typ && x.Src.String() == tc.from })
			if lines == 0 || lines != n {
				t.Errorf("%d %q lines, capture saw %d type %d errors from %s", lines, tc.line, n, tc.typ, tc.from)
			}
		})
	}
}
