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
// spaces around it are ignored, NaN is refused. The error names the option
// and the value:
//
//	bad send wait "x" for -z: want a number from 0 to 1000
func Float(opt, what, v string, lo, hi float64) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || x < lo || x > hi {
		return 0, fmt.Errorf("bad %s %q%s: want a number from %s to %s", what, v, forOpt(opt),
			strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64))
	}
	return x, nil
}

// Duration parses v, an option's value, as a time from lo to hi: seconds
// with fractions ("0.2", as iputils and traceroute read their times) or a
// Go duration ("200ms", "1m30s"). A lo of 0 admits zero; a lo of
// time.Nanosecond is read as "above 0"; a hi of math.MaxInt64 as no upper
// limit. The error names the option and the value:
//
//	bad interval "x" for -i: want seconds (0.5) or a duration (500ms), from 0 to 1000000s
func Duration(opt, what, v string, lo, hi time.Duration) (time.Duration, error) {
	d, ok := durationIn(v, lo, hi)
	if !ok {
		return 0, fmt.Errorf("bad %s %q%s: %s", what, v, forOpt(opt), wantDuration(lo, hi))
	}
	return d, nil
}

// durationIn parses v and reports whether it lies from lo to hi.
func durationIn(v string, lo, hi time.Duration) (time.Duration, bool) {
	d, ok := parseDuration(strings.TrimSpace(v))
	// "Above 0" is about the value as written: 1e-10 seconds is above 0
	// although it rounds to no time at all, and iputils takes it.
	above0 := lo == time.Nanosecond && ok && d == 0 && positive(v)
	if !ok || (d < lo && !above0) || d > hi {
		return 0, false
	}
	return d, true
}

// wantDuration says what a duration option takes.
func wantDuration(lo, hi time.Duration) string {
	return "want seconds (0.5) or a duration (500ms), " + durationRange(lo, hi)
}

// parseDuration reads seconds or a Go duration. Seconds beyond what a
// time.Duration holds are refused rather than wrapped.
func parseDuration(v string) (time.Duration, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > float64(math.MaxInt64/int64(time.Second)) {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	d, err := time.ParseDuration(v)
	return d, err == nil
}

// positive reports whether v, which parseDuration read, is above 0.
func positive(v string) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return err == nil && f > 0
}

func durationRange(lo, hi time.Duration) string {
	if hi == math.MaxInt64 {
		// No limit but what a Duration holds: 292 years are not a
		// bound worth printing.
		switch lo {
		case 0:
			return "0 or more"
		case time.Nanosecond:
			return "above 0"
		}
		return seconds(lo) + " or more"
	}
	switch lo {
	case 0:
		return "from 0 to " + seconds(hi)
	case time.Nanosecond:
		return "above 0, up to " + seconds(hi)
	}
	return "from " + seconds(lo) + " to " + seconds(hi)
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
//	invalid value "x" for flag -idle: want seconds (0.5) or a duration (500ms), 0 or more
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
