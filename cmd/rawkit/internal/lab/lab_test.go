package lab

import (
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestLabBadOptions: a bad option is one line naming it and its value,
// status 2, before anything needs root.
func TestLabBadOptions(t *testing.T) {
	t.Parallel()
	c := New(&Env{Dir: t.TempDir()})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"up", "--routers", "x"}, "rawkit lab: bad router count \"x\" for --routers: want a whole number from 1 to 32\n"},
		{[]string{"up", "--routers=33"}, "rawkit lab: bad router count \"33\" for --routers: want a whole number from 1 to 32\n"},
		{[]string{"up", "--delay", "soon"}, "rawkit lab: bad delay \"soon\" for --delay: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 10s\n"},
		{[]string{"up", "--delay", "11s"}, "rawkit lab: bad delay \"11s\" for --delay: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 10s\n"},
		{[]string{"up", "--delay", "1e-12"}, "rawkit lab: bad delay \"1e-12\" for --delay: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 10s\n"},
		{[]string{"up", "--name", "Lab"}, "rawkit lab: bad lab name \"Lab\": want 1-16 of a-z, 0-9 and _\n"},
		{[]string{"status", "--routers", "3"}, "rawkit lab: unknown option \"--routers\" for lab status\n"},
		{[]string{"up", "--state-dir", "/tmp"}, "rawkit lab: unknown option \"--state-dir\" for lab up\n"},
		{[]string{"sideways"}, "rawkit lab: unknown subcommand \"sideways\": want up, exec, down or status\n"},
	} {
		code, out, errOut := clitest.Run(t, c, tc.args...)
		if code != cli.ExitError || out != "" || errOut != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

// TestLabDurationsAsSeconds: --delay takes seconds as the other
// commands' times do, as well as Go durations.
func TestLabDurationsAsSeconds(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"0.01": "10ms", "10ms": "10ms", "0": "0s"} {
		o, _, err := parseLabArgs("up", []string{"--delay", v})
		if err != nil || o.delay.String() != want {
			t.Errorf("--delay %s: %v, %v; want %s", v, o.delay, err, want)
		}
	}
}

func TestLabBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, ""},
		{[]string{"sideways"}, `unknown subcommand "sideways"`},
		{[]string{"up", "--routers", "0"}, `bad router count "0"`},
		{[]string{"up", "--routers", "33"}, `bad router count "33"`},
		{[]string{"up", "--delay", "fast"}, `bad delay "fast"`},
		{[]string{"up", "--loss", "150%"}, `bad loss "150%"`},
		{[]string{"up", "--mtu", "1280"}, `bad mtu "1280"`},
		{[]string{"up", "--mtu", "9:1280"}, "bad mtu hop 9"},
		{[]string{"up", "--name", "Bad/Name"}, `bad lab name "Bad/Name"`},
		{[]string{"up", "--name", "_lab"}, `bad lab name "_lab"`},
		{[]string{"up", "--name", ""}, `bad lab name ""`},
		{[]string{"up", "--name", "abcdefghijklmnopq"}, `bad lab name "abcdefghijklmnopq"`},
		{[]string{"down", "--routers", "3"}, `unknown option "--routers" for lab down`},
		{[]string{"up", "extra"}, `unexpected argument "extra"`},
		{[]string{"up", "--mpls", "2"}, `bad mpls "2"`},
		{[]string{"up", "--mpls", "2:"}, `bad mpls "2:"`},
		{[]string{"up", "--mpls", "2:1048576"}, `bad mpls "2:1048576"`},
		{[]string{"up", "--mpls", "2:100//200"}, `bad mpls "2:100//200"`},
		{[]string{"up", "--mpls", "0:100"}, `bad mpls "0:100"`},
		{[]string{"up", "--mpls", "4:100"}, "bad mpls hop 4: the lab has routers at hops 1 to 3"},
		{[]string{"up", "--ecmp", "--mpls", "4:100"}, "bad mpls hop 4"},
	} {
		code, _, e := clitest.Run(t, New(&Env{Dir: t.TempDir()}), c.args...)
		if code != 2 || (c.want != "" && (strings.Count(e, "\n") != 1 || !strings.Contains(e, c.want))) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, e, c.want)
		}
	}
}

func TestLabNameOK(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"a", "0", "lab", "bench_6", "abcdefghijklmnop"} {
		if !labNameOK(n) {
			t.Errorf("%q refused", n)
		}
	}
	for _, n := range []string{"", "_a", "A", "a-b", "a.b", "a b", "abcdefghijklmnopq", "é"} {
		if labNameOK(n) {
			t.Errorf("%q accepted", n)
		}
	}
}
