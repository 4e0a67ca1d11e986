//go:build linux && privileged

package ping

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPingNoRoute pings, from a host with no default route, addresses it
// has no route to: as iputils, one line "connect: Network is unreachable",
// exit 2, no statistics (nothing counted as transmitted), and nothing
// crosses the host's link.
func TestPingNoRoute(t *testing.T) {
	netlabtest.Privileged(t)
	iputils := netlabtest.NeedTool(t, "ping")
	p := netlabtest.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := netlabtest.Sniff(t, p.A, p.AIf, "icmp or icmp6")
	for _, dst := range []string{"10.99.0.1", "fd00:99::1"} {
		for _, c := range []struct {
			cmd  *exec.Cmd
			want string
		}{
			{rawkitProc(ctx, p.A, "ping", "-c", "2", "-i", "0.05", dst), "rawkit ping: connect: Network is unreachable\n"},
			// iputils names itself by argv[0].
			{p.A.Command(ctx, iputils, "-c", "2", "-i", "0.05", dst), iputils + ": connect: Network is unreachable\n"},
		} {
			var out, errb bytes.Buffer
			c.cmd.Stdout, c.cmd.Stderr = &out, &errb
			err := c.cmd.Run()
			code := -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != 2 || out.Len() != 0 || errb.String() != c.want {
				t.Errorf("%v: exit %d (%v), stdout %q, stderr %q; want 2, nothing, %q", c.cmd.Args, code, err, out.String(), errb.String(), c.want)
			}
		}
	}
	if pkts := s.Stop(); len(pkts) != 0 {
		t.Errorf("%d packets crossed the link", len(pkts))
	}
}
