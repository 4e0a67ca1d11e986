package main

import (
	"strings"
	"testing"
)

func TestLabBadInput(t *testing.T) {
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
		code, _, e := runArgs(t, append([]string{"rawkit", "lab"}, c.args...)...)
		if code != 2 || (c.want != "" && (strings.Count(e, "\n") != 1 || !strings.Contains(e, c.want))) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, e, c.want)
		}
	}
}

func TestLabNameOK(t *testing.T) {
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
