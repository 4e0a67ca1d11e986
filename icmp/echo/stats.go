package echo

import (
	"math"
	"time"
)

// Stats summarises the probes of a run or of one target. It is a value:
// the engine hands out copies, so reading it never races with the run.
//
// Round-trip times are kept in whole microseconds and combined exactly as
// iputils ping combines them, duplicates included, so the figures printed
// from a Stats match iputils' to the last digit.
type Stats struct {
	Transmitted int // echo requests written (a failed write counts, as in iputils)
	Received    int // distinct echo replies
	Duplicates  int // replies to a probe that was already answered
	// Errors counts ICMP error messages matched to a probe, and the
	// probes the local stack refused as too long (LocalErrors), as
	// iputils' "+N errors" does.
	Errors int
	// LocalErrors counts the probes whose write failed with EMSGSIZE
	// (icmp.MessageTooLongError); they are in Lost too, and in Errors unless
	// Config.UncountedLocalErrors is set.
	LocalErrors int
	// Lost counts probes that ended without a reply: their deadline passed,
	// or an ICMP error answered them. A reply that arrives later still
	// counts as received and takes the probe out of Lost again.
	Lost int
	// Pipe is the most probes that were outstanding when a reply came
	// back (iputils' "pipe").
	Pipe int

	n         int64 // samples in the sums: replies plus duplicates
	sum, sum2 int64 // µs and µs² over the samples
	min, max  int64 // µs; min is valid when n > 0
	ewma8     int64 // 8 × the smoothed RTT in µs, as iputils' rtt
}

// Pending returns the probes still waiting for a reply or their deadline.
func (s Stats) Pending() int {
	p := s.Transmitted - s.Received - s.Lost
	if p < 0 {
		return 0
	}
	return p
}

// Loss returns the fraction (0 to 1) of probes lost among those that have
// ended: probes still in flight are not counted, so the figure never
// drifts up while replies are on their way.
func (s Stats) Loss() float64 {
	done := s.Received + s.Lost
	if done == 0 {
		return 0
	}
	return float64(s.Lost) / float64(done)
}

// RTTs reports whether the Stats hold any round-trip sample.
func (s Stats) RTTs() bool { return s.n > 0 }

// Min returns the smallest round-trip time.
func (s Stats) Min() time.Duration { return us(s.min, s.n) }

// Max returns the largest round-trip time.
func (s Stats) Max() time.Duration { return us(s.max, s.n) }

// Avg returns the mean round-trip time, truncated to the microsecond.
func (s Stats) Avg() time.Duration {
	if s.n == 0 {
		return 0
	}
	return time.Duration(s.sum/s.n) * time.Microsecond
}

// MDev returns the standard deviation of the round-trip times, computed
// in integer microseconds the way iputils does (ping_common.c finish).
func (s Stats) MDev() time.Duration {
	if s.n == 0 {
		return 0
	}
	var v int64
	if s.sum < math.MaxInt32 {
		// iputils: this order avoids rounding errors for small times.
		v = (s.sum2 - (s.sum*s.sum)/s.n) / s.n
	} else {
		avg := s.sum / s.n
		v = s.sum2/s.n - avg*avg
	}
	return time.Duration(isqrt(v)) * time.Microsecond
}

// EWMA returns the exponentially weighted moving average of the
// round-trip time (weight 1/8), iputils' "ewma".
func (s Stats) EWMA() time.Duration { return time.Duration(s.ewma8/8) * time.Microsecond }

// Add returns the sum of two Stats, as for a run's total over targets.
func (s Stats) Add(o Stats) Stats {
	r := s
	r.Transmitted += o.Transmitted
	r.Received += o.Received
	r.Duplicates += o.Duplicates
	r.Errors += o.Errors
	r.LocalErrors += o.LocalErrors
	r.Lost += o.Lost
	r.Pipe = max(r.Pipe, o.Pipe)
	if o.n > 0 {
		if r.n == 0 || o.min < r.min {
			r.min = o.min
		}
		r.max = max(r.max, o.max)
		r.n += o.n
		r.sum += o.sum
		r.sum2 += o.sum2
		r.ewma8 = o.ewma8
	}
	return r
}

// sample records one round-trip time, iputils style: truncated to the
// microsecond, negative clamped to zero.
func (s *Stats) sample(rtt time.Duration) {
	t := int64(rtt / time.Microsecond)
	if t < 0 {
		t = 0
	}
	if s.n == 0 || t < s.min {
		s.min = t
	}
	if t > s.max {
		s.max = t
	}
	s.n++
	s.sum += t
	s.sum2 += t * t
	if s.ewma8 == 0 {
		s.ewma8 = t * 8
	} else {
		s.ewma8 += t - s.ewma8/8
	}
}

func us(v, n int64) time.Duration {
	if n == 0 {
		return 0
	}
	return time.Duration(v) * time.Microsecond
}

// isqrt is iputils' llsqrt: Newton's method on integers.
func isqrt(a int64) int64 {
	if a <= 0 {
		return 0
	}
	prev, x := int64(math.MaxInt64), a
	for x < prev {
		prev = x
		x = (x + a/x) / 2
	}
	return x
}

// Stats returns the statistics of the whole run so far.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.total
}

// TargetStats returns the statistics of target i so far.
func (e *Engine) TargetStats(i int) Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.targets[i].stats
}

// Elapsed returns the time from the first send to the latest one, and
// the send rate that achieved (probes per second, 0 with fewer than two).
func (e *Engine) Elapsed() (time.Duration, float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := time.Duration(e.last - e.first)
	if e.total.Transmitted < 2 || d <= 0 {
		return d, 0
	}
	return d, float64(e.total.Transmitted-1) / d.Seconds()
}

// TargetStatsAll returns the statistics of every target so far, in the
// order of the targets.
func (e *Engine) TargetStatsAll() []Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Stats, len(e.targets))
	for i := range e.targets {
		out[i] = e.targets[i].stats
	}
	return out
}
