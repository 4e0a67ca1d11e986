package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Int parses v, an option's value, as a whole number from lo to hi, in
// base 10 only, as iputils reads its numbers: "010" is ten, "08" eight and
// "0x10" no number; spaces around it are ignored. opt is the option as
// the user spells it ("-c", "--rate"), empty for an operand; what names
// the value ("count"). The error names both and the value:
//
//	bad count "x" for -c: want a whole number from 1 to 2147483647
func Int(opt, what, v string, lo, hi int) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < int64(lo) || n > int64(hi) {
		return 0, fmt.Errorf("bad %s %q%s: want a whole number from %d to %d", what, v, forOpt(opt), lo, hi)
	}
	return int(n), nil
}

// Float parses v, an option's value, as a number from lo to hi: decimal
// with a fraction or an exponent, or what else strconv.ParseFloat reads;
// spaces around it are ignored. NaN, infinities and numbers too small for
// a float64 ("1e-400", which rounds to 0) are refused. The error names the
// option and the value:
//
//	bad send wait "x" for -z: want a number from 0 to 1000
func Float(opt, what, v string, lo, hi float64) (float64, error) {
	v2 := strings.TrimSpace(v)
	x, err := strconv.ParseFloat(v2, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < lo || x > hi || (x == 0 && !zeroAsWritten(v2)) {
		return 0, fmt.Errorf("bad %s %q%s: want a number from %s to %s", what, v, forOpt(opt),
			strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64))
	}
	return x, nil
}

// MinDuration is the shortest time other than zero that any option
// takes: rawkit's timers and deadlines act no finer (hrtimer's timer files
// and RTTs in iputils' output are in microseconds), and a shorter time
// written down would round to nothing.
const MinDuration = time.Microsecond

// Duration parses v, an option's value, as a time from lo to hi: seconds
// with fractions ("0.2", as iputils and traceroute read their times) or a
// Go duration ("200ms", "1m30s"). lo is the least time the option takes
// (its resolution, as time.Millisecond for one counted in milliseconds),
// never below [MinDuration]; a lo of 0 admits zero as well. A time that
// is not zero as written but below that least time (1e-12, which rounds
// to nothing) is refused, as are negative times, NaN, infinities and
// times beyond hi; a hi of math.MaxInt64 is no upper limit. The error
// names the option, the value and the range:
//
//	bad interval "x" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 1000000s
func Duration(opt, what, v string, lo, hi time.Duration) (time.Duration, error) {
	d, ok := durationIn(v, lo, hi)
	if !ok {
		return 0, fmt.Errorf("bad %s %q%s: %s", what, v, forOpt(opt), wantDuration(lo, hi))
	}
	return d, nil
}

// durationIn parses v and reports whether it lies from lo to hi.
func durationIn(v string, lo, hi time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	d, zero, ok := parseDuration(v)
	switch {
	case !ok || d > hi:
		return 0, false
	case zero:
		return 0, lo == 0
	}
	// Not zero as written: a time that rounded to 0 is refused here.
	return d, d >= least(lo)
}

// least is the shortest time other than zero that an option with lo takes.
func least(lo time.Duration) time.Duration { return max(lo, MinDuration) }

// wantDuration says what a duration option takes.
func wantDuration(lo, hi time.Duration) string {
	return "want seconds (0.5) or a duration (500ms), " + durationRange(lo, hi)
}

// parseDuration reads seconds or a Go duration, and whether it was zero
// as written ("0", "0.0", "0s"), not a time rounded to zero. Negative
// times are refused, and so are seconds beyond what a time.Duration holds
// rather than wrapped.
func parseDuration(v string) (d time.Duration, zero, ok bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > float64(math.MaxInt64/int64(time.Second)) {
			return 0, false, false
		}
		return time.Duration(f * float64(time.Second)), zeroAsWritten(v), true
	}
	d, err := time.ParseDuration(v)
	return d, zeroAsWritten(v), err == nil && d >= 0
}

// zeroAsWritten reports whether v, a number that parsed, is zero as
// written ("0", "-0.0", "0e5", "0x0p3", "0s") rather than a number too
// small for a float64 or a time.Duration that rounded to zero ("1e-400").
func zeroAsWritten(v string) bool {
	m := strings.ToLower(strings.TrimLeft(v, "+-"))
	digits := "123456789"
	if h, ok := strings.CutPrefix(m, "0x"); ok {
		m, _, _ = strings.Cut(h, "p")
		digits += "abcdef"
	} else {
		m, _, _ = strings.Cut(m, "e")
	}
	return !strings.ContainsAny(m, digits)
}

func durationRange(lo, hi time.Duration) string {
	zero := ""
	if lo == 0 {
		zero = "0, or "
	}
	if hi == math.MaxInt64 {
		// No limit but what a Duration holds: 292 years are not a
		// bound worth printing.
		return zero + "at least " + seconds(least(lo))
	}
	return zero + "from " + seconds(least(lo)) + " to " + seconds(hi)
}

// seconds prints d in seconds, as the options take it.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

func forOpt(opt string) string {
	if opt == "" {
		return ""
	}
	return " for " + opt
}

// DurationValue is a flag.Value for a FlagSet option read as [Duration]
// reads it, from Lo to Hi. The FlagSet's error names the option and the
// value; this adds what is wanted:
//
//	invalid value "x" for flag -idle: want seconds (0.5) or a duration (500ms), 0, or at least 0.000001s
type DurationValue struct {
	P      *time.Duration
	Lo, Hi time.Duration
}

func (d *DurationValue) String() string {
	if d == nil || d.P == nil {
		return ""
	}
	return d.P.String()
}

// Set parses s into *d.P.
func (d *DurationValue) Set(s string) error {
	v, ok := durationIn(s, d.Lo, d.Hi)
	if !ok {
		return errors.New(wantDuration(d.Lo, d.Hi))
	}
	*d.P = v
	return nil
}
