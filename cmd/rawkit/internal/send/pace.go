package send

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The bounds of the pacing options, checked here on the parsed values
// whatever the shared parsers accept: a rate limit must never turn into
// a flood. The slowest rate is one packet an hour, the longest -i, so
// that the interval between packets never overflows a time.Duration.
const (
	maxRate     = 1e9
	minRate     = 1.0 / 3600
	maxInterval = time.Hour
)

// checkRate refuses NaN, infinities, negative rates and rates so small
// that the time between packets would overflow (it did: --rate 1e-11
// sent unpaced).
func checkRate(r float64) error {
	if math.IsNaN(r) || r < 0 || r > maxRate || (r > 0 && r < minRate) {
		return fmt.Errorf("bad rate %v: want 0 (no limit), or from 1/3600 (one an hour) to 1e9 packets per second", r)
	}
	return nil
}

// checkDuration refuses a duration d, parsed from v, outside lo to hi,
// or that rounded to no time although v is more than zero (-i 1e-12
// would send unpaced).
func checkDuration(opt, what, v string, d, lo, hi time.Duration) error {
	switch {
	case d < lo || d > hi:
		return fmt.Errorf("bad %s %q for %s: want from %v to %v", what, v, opt, lo, hi)
	case d == 0 && positive(v):
		return fmt.Errorf("bad %s %q for %s: rounds to no time; want 0 or at least 1ns", what, v, opt)
	}
	return nil
}

// positive reports whether v, seconds ("1e-12") or a Go duration
// ("0.1ns"), is more than zero as written.
func positive(v string) bool {
	v = strings.TrimSpace(v)
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		return x > 0
	}
	// A Go duration has no exponent: any non-zero digit makes it more
	// than zero, unless it is negative.
	return !strings.HasPrefix(v, "-") && strings.ContainsAny(v, "123456789")
}
