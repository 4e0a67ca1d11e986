package traceroute

import (
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestTracerouteBadInput: every bad value gets one line naming it and
// exit status 2, before any socket is opened.
func TestTracerouteBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "5", "-m", "3", "127.0.0.1"}, "first ttl 5 is above max ttl 3"},
		{[]string{"-f", "0", "127.0.0.1"}, `bad first ttl "0" for -f: want a whole number from 1 to 255`},
		{[]string{"-m", "256", "127.0.0.1"}, `bad max ttl "256" for -m: want a whole number from 1 to 255`},
		{[]string{"-m", "0", "127.0.0.1"}, `bad max ttl "0" for -m: want a whole number from 1 to 255`},
		{[]string{"-q", "0", "127.0.0.1"}, `bad number of probes per hop "0" for -q: want a whole number from 1 to 10`},
		{[]string{"-q", "11", "127.0.0.1"}, `bad number of probes per hop "11" for -q: want a whole number from 1 to 10`},
		{[]string{"-p", "0", "127.0.0.1"}, `bad port "0" for -p: want a whole number from 1 to 65535`},
		{[]string{"-p", "65536", "127.0.0.1"}, `bad port "65536" for -p: want a whole number from 1 to 65535`},
		{[]string{"-p", "http", "127.0.0.1"}, `bad port "http" for -p: want a whole number from 1 to 65535`},
		{[]string{"-M", "sctp", "127.0.0.1"}, `unknown method "sctp"`},
		{[]string{"127.0.0.1", "20"}, `bad packet length "20": want a whole number from 30 to 65000`},
		{[]string{"127.0.0.1", "65001"}, `bad packet length "65001": want a whole number from 30 to 65000`},
		{[]string{"-T", "127.0.0.1", "40"}, `bad packet length "40": want a whole number from 60 to 65000`},
		{[]string{"-I", "-T", "127.0.0.1"}, "conflicting methods icmp and tcp"},
		{[]string{"-w", "-1", "127.0.0.1"}, `bad wait "-1"`},
		// Waits that round to nothing (the engine's default 5 s), are no
		// numbers or overflow.
		{[]string{"-w", "1e-12", "127.0.0.1"}, `bad wait "1e-12" for -w: want MAX[,HERE[,NEAR]], MAX seconds from 0.000001 to 86400, HERE and NEAR factors from 0 to 86400`},
		{[]string{"-w", "0", "127.0.0.1"}, `bad wait "0" for -w`},
		{[]string{"-w", "NaN", "127.0.0.1"}, `bad wait "NaN" for -w`},
		{[]string{"-w", "inf", "127.0.0.1"}, `bad wait "inf" for -w`},
		{[]string{"-w", "1e300", "127.0.0.1"}, `bad wait "1e300" for -w`},
		{[]string{"-w", "1,nan", "127.0.0.1"}, `bad wait "1,nan" for -w`},
		{[]string{"-w", "1,1,-inf", "127.0.0.1"}, `bad wait "1,1,-inf" for -w`},
		{[]string{"-w", "1,1e-400", "127.0.0.1"}, `bad wait "1,1e-400" for -w`},
		{[]string{"-w", "1,2,3,4", "127.0.0.1"}, `bad wait "1,2,3,4" for -w`},
		{[]string{"-z", "nan", "127.0.0.1"}, `bad send wait "nan" for -z: want a number from 0 to 1000`},
		{[]string{"-z", "inf", "127.0.0.1"}, `bad send wait "inf" for -z: want a number from 0 to 1000`},
		{[]string{"-t", "300", "127.0.0.1"}, `bad tos "300" for -t: want a whole number from 0 to 255`},
		{[]string{"-s", "::1", "127.0.0.1"}, `bad source address "::1"`},
		{[]string{"-x", "127.0.0.1"}, "unknown option -x"},
		// Not ignored, and named whole rather than by a byte.
		{[]string{"-é", "127.0.0.1"}, "unknown option -é"},
		{[]string{"-né", "127.0.0.1"}, "unknown option -é"},
		{[]string{"-n\xff", "127.0.0.1"}, `unknown option "-\xff"`},
		{[]string{"--bogus", "127.0.0.1"}, `unknown option "--bogus"`},
		{[]string{}, "no host given"},
		{[]string{"127.0.0.1", "60", "x"}, `extra operand "x"`},
		{[]string{"fd00::zz"}, `bad IPv6 address "fd00::zz"`},
		{[]string{"fe80::1%nosuch0"}, `unknown zone "nosuch0"`},
		{[]string{"-s", "fe80::1%nosuch0", "::1"}, `unknown zone "nosuch0"`},
		{[]string{"-4", "::1"}, `bad host "::1": an IPv6 address, and -4 asks for IPv4`},
		{[]string{"-6", "127.0.0.1"}, `bad host "127.0.0.1"`},
		{[]string{"-4", "-6", "::1"}, "-4 and -6 are mutually exclusive"},
		{[]string{"-6", "-s", "127.0.0.1", "::1"}, `bad source address "127.0.0.1"`},
		{[]string{"-s", "127.0.0.1", "::1"}, `bad source address "127.0.0.1"`},
		{[]string{"::1", "40"}, `bad packet length "40": want a whole number from 50 to 65000`},
		{[]string{"-T", "::1", "60"}, `bad packet length "60": want a whole number from 80 to 65000`},
		// Options spelled long are named so; -z is read but not used.
		{[]string{"--port", "0", "127.0.0.1"}, `bad port "0" for --port: want a whole number from 1 to 65535`},
		{[]string{"-z", "x", "127.0.0.1"}, `bad send wait "x" for -z: want a number from 0 to 1000`},
	} {
		code, out, e := clitest.Run(t, New(&Env{Resolver: clitest.NoDNS()}), c.args...)
		if code != 2 || strings.Count(e, "\n") != 1 || !strings.HasPrefix(e, "rawkit traceroute: ") || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, e, c.want)
		}
		if out != "" {
			t.Errorf("%v: printed %q", c.args, out)
		}
	}
}

func TestTracerouteArgs(t *testing.T) {
	t.Parallel()
	// Numbers are decimal, as they always were: 010 is ten.
	if o, err := parseTraceArgs([]string{"-m", "010", "-f", "08", "h"}); err != nil || o.cfg.MaxTTL != 10 || o.cfg.FirstTTL != 8 {
		t.Errorf("-m 010 -f 08: %v, %+v", err, o)
	}
	o, err := parseTraceArgs([]string{"-nI", "-q1", "-w", "2,3,4", "-N", "4", "10.0.0.1", "-m", "9", "100", "--classic"})
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if !o.numeric || c.Queries != 1 || c.Wait.Seconds() != 2 || c.HereFactor != 3 || c.NearFactor != 4 ||
		c.Simultaneous != 4 || c.MaxTTL != 9 || c.Length != 100 || !c.Classic || o.host != "10.0.0.1" || c.Method.String() != "icmp" {
		t.Errorf("parsed %+v", o)
	}
	if o, err := parseTraceArgs([]string{"-w", "0.000001,0,0", "h"}); err != nil || o.cfg.Wait != time.Microsecond {
		t.Errorf("-w 0.000001: %v, %+v", err, o)
	}
	o, _ = parseTraceArgs([]string{"-w", "1", "h"})
	if o.cfg.HereFactor >= 0 || o.cfg.NearFactor >= 0 {
		t.Errorf("-w 1 kept the HERE/NEAR rules: %+v", o.cfg)
	}
}
