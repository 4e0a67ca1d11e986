package ping

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

func TestParsePingArgsGetoptStyle(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want func(o *pingOpts) bool
	}{
		{[]string{"-c5", "127.0.0.1"}, func(o *pingOpts) bool { return o.count == 5 }},
		{[]string{"-c", "5", "127.0.0.1"}, func(o *pingOpts) bool { return o.count == 5 }},
		{[]string{"127.0.0.1", "-c", "5"}, func(o *pingOpts) bool { return o.count == 5 && o.hosts[0] == "127.0.0.1" }},
		{[]string{"-qnc3", "h"}, func(o *pingOpts) bool { return o.quiet && o.numeric && o.count == 3 }},
		{[]string{"-i0.5", "-W", "2", "-w", "3", "h"}, func(o *pingOpts) bool {
			return o.interval == 500*time.Millisecond && o.intervalSet && o.timeout == 2*time.Second && o.deadline == 3*time.Second
		}},
		{[]string{"-s", "0", "-t", "255", "-Q", "0x10", "-M", "do", "h"}, func(o *pingOpts) bool {
			return o.size == 0 && o.ttl == 255 && o.tos == 16 && o.pmtu == "do"
		}},
		// Numbers are decimal as in iputils; -Q alone also takes 0x.
		{[]string{"-c", "010", "-s", "08", "-l", "03", "-t", "064", "-Q", "010", "h"}, func(o *pingOpts) bool {
			return o.count == 10 && o.size == 8 && o.preload == 3 && o.ttl == 64 && o.tos == 10
		}},
		{[]string{"-Q", "0XfF", "h"}, func(o *pingOpts) bool { return o.tos == 255 }},
		{[]string{"-6", "-s", "65527", "::1"}, func(o *pingOpts) bool { return o.size == 65527 }},
		{[]string{"-I", "10.0.0.1", "h"}, func(o *pingOpts) bool { return o.source.String() == "10.0.0.1" && o.iface == "" }},
		{[]string{"-I", "eth0", "h"}, func(o *pingOpts) bool { return o.iface == "eth0" }},
		{[]string{"--rate", "1000", "--json", "a", "b"}, func(o *pingOpts) bool {
			return o.rate == 1000 && o.json && reflect.DeepEqual(o.hosts, []string{"a", "b"})
		}},
		{[]string{"--rate=50", "-DOa4", "h"}, func(o *pingOpts) bool { return o.rate == 50 && o.timestamps && o.outstanding && o.audible }},
		{[]string{"-c", "1", "--", "-weird"}, func(o *pingOpts) bool { return o.hosts[0] == "-weird" }},
		// iputils' floor for users is 2 ms, itself allowed; -W and -w
		// take a millisecond or more.
		{[]string{"-i", "0.002", "h"}, func(o *pingOpts) bool { return o.interval == 2*time.Millisecond }},
		{[]string{"-W", "0.001", "-w", "1e6", "h"}, func(o *pingOpts) bool { return o.timeout == time.Millisecond && o.deadline == 1e6*time.Second }},
		{[]string{"--rate", "1e-6", "h"}, func(o *pingOpts) bool { return o.rate == 1e-6 }},
	}
	for _, tc := range cases {
		o, err := parsePingArgs(tc.args, false)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !tc.want(o) {
			t.Errorf("%q: parsed %+v", tc.args, o)
		}
	}
}

// Bad input: one line on stderr naming the value, exit 2, nothing sent.
func TestPingBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		user bool
		name string // what the message must mention
	}{
		{[]string{"-c", "0", "127.0.0.1"}, false, `bad count "0" for -c: want a whole number from 1 to 2147483647`},
		{[]string{"-c", "-3", "127.0.0.1"}, false, `bad count "-3" for -c: want a whole number from 1 to 2147483647`},
		{[]string{"-c", "x", "127.0.0.1"}, false, `bad count "x" for -c: want a whole number from 1 to 2147483647`},
		{[]string{"-i", "0.001", "127.0.0.1"}, true, `"0.001"`},
		{[]string{"-s", "65508", "127.0.0.1"}, false, `bad size 65508 for -s: IPv4 carries at most 65507 ("127.0.0.1" is IPv4; IPv6 takes up to 65527)`},
		{[]string{"-s", "65527", "::1", "127.1"}, false, `bad size 65527 for -s: IPv4 carries at most 65507 ("127.1" is IPv4`},
		{[]string{"-6", "-s", "65528", "::1"}, false, `bad size "65528" for -s: want a whole number from 0 to 65527`},
		{[]string{"-t", "0", "127.0.0.1"}, false, `bad ttl "0" for -t: want a whole number from 1 to 255`},
		{[]string{"-t", "256", "127.0.0.1"}, false, `bad ttl "256" for -t: want a whole number from 1 to 255`},
		{[]string{"-Q", "256", "127.0.0.1"}, false, `bad tos "256" for -Q: want a whole number from 0 to 255`},
		{[]string{"-c", "0x10", "127.0.0.1"}, false, `bad count "0x10" for -c: want a whole number from 1 to 2147483647`},
		{[]string{"-Q", "0x100", "127.0.0.1"}, false, `bad tos "0x100" for -Q: want a whole number from 0 to 255, or 0x0 to 0xff`},
		{[]string{"-Q", "0x", "127.0.0.1"}, false, `bad tos "0x" for -Q`},
		{[]string{"-l", "0", "127.0.0.1"}, false, `bad preload "0" for -l: want a whole number from 1 to 65536`},
		{[]string{"-i", "x", "127.0.0.1"}, false, `bad interval "x" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 1000000s`},
		{[]string{"-i", "1000001", "127.0.0.1"}, false, `bad interval "1000001" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 1000000s`},
		{[]string{"-W", "0", "127.0.0.1"}, false, `bad timeout "0" for -W: want seconds (0.5) or a duration (500ms), from 0.001s to 1000000s`},
		{[]string{"-w", "-1", "127.0.0.1"}, false, `bad deadline "-1" for -w: want seconds (0.5) or a duration (500ms), from 0.001s to 1000000s`},
		// Times and rates that round to nothing, overflow, or are no
		// numbers: not the default wait, no deadline, or a flood.
		{[]string{"-W", "1e-12", "127.0.0.1"}, false, `bad timeout "1e-12" for -W: want seconds (0.5) or a duration (500ms), from 0.001s to 1000000s`},
		{[]string{"-W", "0.0009", "127.0.0.1"}, false, `bad timeout "0.0009" for -W`},
		{[]string{"-W", "NaN", "127.0.0.1"}, false, `bad timeout "NaN" for -W`},
		{[]string{"-W", "inf", "127.0.0.1"}, false, `bad timeout "inf" for -W`},
		{[]string{"-w", "1e-12", "127.0.0.1"}, false, `bad deadline "1e-12" for -w: want seconds (0.5) or a duration (500ms), from 0.001s to 1000000s`},
		{[]string{"-w", "-inf", "127.0.0.1"}, false, `bad deadline "-inf" for -w`},
		{[]string{"-i", "1e-12", "127.0.0.1"}, false, `bad interval "1e-12" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 1000000s`},
		{[]string{"-i", "nan", "127.0.0.1"}, false, `bad interval "nan" for -i`},
		{[]string{"--rate", "1e-11", "127.0.0.1"}, false, `bad rate "1e-11" for --rate: want a number from 0.000001 to 1000000000 probes per second`},
		{[]string{"--rate", "NaN", "127.0.0.1"}, false, `bad rate "NaN" for --rate`},
		{[]string{"--rate", "+Inf", "127.0.0.1"}, false, `bad rate "+Inf" for --rate`},
		{[]string{"--rate", "0", "127.0.0.1"}, false, `bad rate "0" for --rate`},
		{[]string{"--rate", "1e-400", "127.0.0.1"}, false, `bad rate "1e-400" for --rate`},
		{[]string{"--rate", "2e9", "127.0.0.1"}, false, `bad rate "2e9" for --rate`},
		{[]string{"-M", "maybe", "127.0.0.1"}, false, `"maybe"`},
		{[]string{"-f", "127.0.0.1"}, true, "flood"},
		{[]string{"-l", "4", "127.0.0.1"}, true, "preload 4"},
		{[]string{"--rate", "-5", "127.0.0.1"}, false, `"-5"`},
		{[]string{"-X", "127.0.0.1"}, false, "-X"},
		{[]string{"-qé", "127.0.0.1"}, false, "unknown option -é"},
		{[]string{"-n\xff", "127.0.0.1"}, false, `unknown option "-\xff"`},
		{[]string{"-cé", "127.0.0.1"}, false, `bad count "é" for -c`},
		{[]string{"-c"}, false, "-c"},
		{[]string{"127.0.0.0/33"}, false, `"127.0.0.0/33"`},
		{[]string{"10.0.0.0/8", "-c", "1"}, false, `"10.0.0.0/8"`},
		{[]string{"no-such-host.invalid"}, false, `"no-such-host.invalid"`},
		// IPv6: malformed, unknown zone, prefixes too large, mixed families.
		{[]string{"fd00::zz"}, false, `"fd00::zz"`},
		{[]string{"fd00:::1"}, false, `"fd00:::1"`},
		{[]string{"fe80::1%nosuch0"}, false, `"nosuch0"`},
		{[]string{"fd00::/64"}, false, `"fd00::/64"`},
		{[]string{"fd00::/111", "-c", "1"}, false, `"fd00::/111"`},
		{[]string{"fd00::/129"}, false, `"fd00::/129"`},
		{[]string{"-4", "::1"}, false, `"::1"`},
		{[]string{"-6", "127.0.0.1"}, false, `"127.0.0.1"`},
		{[]string{"-6", "127.0.0.0/30"}, false, `"127.0.0.0/30"`},
		{[]string{"-4", "-6", "::1"}, false, "-4 and -6"},
		{[]string{"-f", "127.0.0.1", "::1"}, false, `"::1"`},
		{[]string{"-i", "0", "::1", "127.0.0.1"}, false, `"127.0.0.1"`},
		{[]string{"-I", "127.0.0.1", "127.0.0.2", "::1"}, false, `"127.0.0.1"`},
		{[]string{"-I", "fe80::1%nosuch0", "::1"}, false, `"nosuch0"`},
		{[]string{"-I", "fd00::zz", "::1"}, false, `"fd00::zz"`},
		{[]string{"-6", "-I", "127.0.0.1", "::1"}, false, `"127.0.0.1"`},
		{[]string{}, false, "no host"},
	}
	for _, tc := range cases {
		o, err := parsePingArgs(tc.args, !tc.user)
		if err == nil {
			var ts []pingTarget
			if ts, err = expandTargets(t.Context(), clitest.NoDNS(), o.hosts, o.family); err == nil {
				err = checkTargets(o, ts)
			}
		}
		if err == nil {
			t.Errorf("%q accepted", tc.args)
			continue
		}
		if !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%q: message %q does not name %s", tc.args, err, tc.name)
		}
		if !tc.user { // run the whole command too: exit 2, one line
			code, out, errOut := clitest.Run(t, New(&Env{Resolver: clitest.NoDNS()}), tc.args...)
			if code != cli.ExitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "rawkit ping: ") {
				t.Errorf("%q: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
			}
		}
	}
}

func TestPingSourceOfOtherFamily(t *testing.T) {
	t.Parallel()
	code, out, errOut := clitest.Run(t, New(&Env{Resolver: clitest.NoDNS()}), "-I", "127.0.0.1", "-c", "1", "::1")
	if code != cli.ExitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `"127.0.0.1"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestExpandTargets6(t *testing.T) {
	t.Parallel()
	ts, err := expandTargets(t.Context(), clitest.NoDNS(), []string{"fd00::/112", "fd00:1::8/126", "::1", "fe80::1%lo"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 65536+4+1+1 {
		t.Fatalf("%d targets", len(ts))
	}
	if ts[0].addr.String() != "fd00::" || ts[65535].addr.String() != "fd00::ffff" ||
		ts[65536].addr.String() != "fd00:1::8" || ts[65540].addr.String() != "::1" || ts[65541].addr.Zone() != "lo" {
		t.Errorf("range ends: %v %v %v %v %v", ts[0].addr, ts[65535].addr, ts[65536].addr, ts[65540].addr, ts[65541].addr)
	}
}

// TestExpandTargetsAsIputils: what iputils ping takes, it pings as iputils
// does: inet_aton's forms, 0 as the loopback, a zone given by index.
func TestExpandTargetsAsIputils(t *testing.T) {
	t.Parallel()
	ts, err := expandTargets(t.Context(), clitest.NoDNS(), []string{"127.1", "0", "::1%1", "0x7f.0.0.2"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range ts {
		got = append(got, tg.name+" "+tg.addr.String())
	}
	want := []string{"127.1 127.0.0.1", "0 127.0.0.1", "::1%1 ::1%lo", "0x7f.0.0.2 127.0.0.2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("targets %q, want %q", got, want)
	}
}

func TestExpandTargets(t *testing.T) {
	t.Parallel()
	ts, err := expandTargets(t.Context(), clitest.NoDNS(), []string{"127.0.0.0/20", "127.1.0.0/31", "127.2.0.1/32", "127.0.0.1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4094+2+1+1 {
		t.Fatalf("%d targets", len(ts))
	}
	if ts[0].addr.String() != "127.0.0.1" || ts[4093].addr.String() != "127.0.15.254" ||
		ts[4094].addr.String() != "127.1.0.0" || ts[4096].addr.String() != "127.2.0.1" {
		t.Errorf("range ends: %v %v %v %v", ts[0].addr, ts[4093].addr, ts[4094].addr, ts[4096].addr)
	}
}

func TestAppendRTTLikeIputils(t *testing.T) {
	t.Parallel()
	for us, want := range map[int64]string{45: "0.045", 999: "0.999", 1000: "1.00", 1234: "1.23", 9995: "10.0",
		12345: "12.3", 99950: "100", 123456: "123"} {
		if got := string(appendRTT(nil, us)); got != want {
			t.Errorf("%d µs: %q, want %q", us, got, want)
		}
	}
}
