package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func TestInt(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    string
		want int
		err  string
	}{
		{"5", 5, ""},
		{" 7 ", 7, ""},
		{"010", 10, ""}, // decimal, as iputils reads it: not octal
		{"08", 8, ""},
		{"+5", 5, ""},
		{"0x10", 0, `bad count "0x10" for -c: want a whole number from 1 to 2147483647`},
		{"1_0", 0, `bad count "1_0" for -c: want a whole number from 1 to 2147483647`},
		{"0", 0, `bad count "0" for -c: want a whole number from 1 to 2147483647`},
		{"x", 0, `bad count "x" for -c: want a whole number from 1 to 2147483647`},
		{"2147483648", 0, `bad count "2147483648" for -c: want a whole number from 1 to 2147483647`},
	} {
		got, err := Int("-c", "count", c.v, 1, math.MaxInt32)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Int(%q) error %v, want %q", c.v, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Int(%q) = %d, %v; want %d", c.v, got, err, c.want)
		}
	}
	if _, err := Int("", "packet length", "x", 28, 65000); err == nil ||
		err.Error() != `bad packet length "x": want a whole number from 28 to 65000` {
		t.Errorf("operand error: %v", err)
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	const want = `bad wait "%s" for -W: want seconds (0.5) or a duration (500ms), `
	for _, c := range []struct {
		v      string
		lo, hi time.Duration
		want   time.Duration
		err    string // after want
	}{
		{"0.2", 0, time.Hour, 200 * time.Millisecond, ""},
		{"200ms", 0, time.Hour, 200 * time.Millisecond, ""},
		{"0", 0, time.Hour, 0, ""},
		{"0.0", 0, time.Hour, 0, ""},
		{"0s", 0, time.Hour, 0, ""},
		{"1e-6", 0, time.Hour, time.Microsecond, ""},
		{"1µs", time.Nanosecond, time.Hour, time.Microsecond, ""},
		{"0.001", time.Millisecond, time.Hour, time.Millisecond, ""},
		{"1000000h", 0, math.MaxInt64, 1000000 * time.Hour, ""},
		{"0", time.Nanosecond, time.Hour, 0, "from 0.000001s to 3600s"},
		{"-1", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"NaN", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"Inf", 0, math.MaxInt64, 0, "0, or at least 0.000001s"},
		{"-Inf", 0, math.MaxInt64, 0, "0, or at least 0.000001s"},
		{"1e300", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"1e300", 0, math.MaxInt64, 0, "0, or at least 0.000001s"},
		{"2h", time.Second, time.Hour, 0, "from 1s to 3600s"},
		{"-1s", 0, math.MaxInt64, 0, "0, or at least 0.000001s"},
		{"0", time.Nanosecond, math.MaxInt64, 0, "at least 0.000001s"},
		{"0.5", time.Second, math.MaxInt64, 0, "at least 1s"},
		// Not zero as written, and too short to be a time: rounded to
		// nothing, or below the option's resolution.
		{"1e-10", time.Nanosecond, time.Hour, 0, "from 0.000001s to 3600s"},
		{"1e-12", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"0x1p-40", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"0.0000000001s", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"999ns", 0, time.Hour, 0, "0, or from 0.000001s to 3600s"},
		{"0.0009", time.Millisecond, time.Hour, 0, "from 0.001s to 3600s"},
	} {
		got, err := Duration("-W", "wait", c.v, c.lo, c.hi)
		if c.err != "" {
			if w := fmt.Sprintf(want, c.v) + c.err; err == nil || err.Error() != w {
				t.Errorf("Duration(%q, %v, %v) error %v, want %q", c.v, c.lo, c.hi, err, w)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Duration(%q, %v, %v) = %v, %v; want %v", c.v, c.lo, c.hi, got, err, c.want)
		}
	}
}

func TestDurationValue(t *testing.T) {
	t.Parallel()
	var d time.Duration
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&DurationValue{P: &d, Hi: time.Hour}, "duration", "")
	if err := fs.Parse([]string{"-duration", "1.5"}); err != nil || d != 1500*time.Millisecond {
		t.Fatalf("-duration 1.5: %v, %v", d, err)
	}
	if err := fs.Parse([]string{"-duration", "1e-9"}); err == nil {
		t.Errorf("-duration 1e-9 taken as %v", d)
	}
	err := fs.Parse([]string{"-duration", "soon"})
	want := `invalid value "soon" for flag -duration: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 3600s`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

func TestFloat(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]float64{"0": 0, "-0": 0, "0e9": 0, "0x0p1": 0, "0.5": 0.5, " 1e3 ": 1000, "1e-300": 1e-300} {
		if got, err := Float("-z", "send wait", v, 0, 1000); err != nil || got != want {
			t.Errorf("Float(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"-1", "1000.5", "NaN", "Inf", "-Inf", "x", "", "1e-400", "0x1p-2000", "0xAp-2000"} {
		_, err := Float("-z", "send wait", v, 0, 1000)
		if want := `bad send wait "` + v + `" for -z: want a number from 0 to 1000`; err == nil || err.Error() != want {
			t.Errorf("Float(%q) error %v, want %q", v, err, want)
		}
	}
}

// A value holding a newline still makes one line: the fuzzer found
// `send -- "-\n"` printing two.
func TestFailfOneLine(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	Failf(&Stdio{Err: &b}, "send", "flag provided but not defined: %s", "-\n\x1b[2J\tx")
	want := "rawkit send: flag provided but not defined: -\\n\\x1b[2J\tx\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
