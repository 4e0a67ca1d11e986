package exporter

import (
	"os"
	"runtime"
)

// probesPerProc is the probe rate (echo and path probes a second) the
// exporter gives each P (GOMAXPROCS) of the Go scheduler. At 10,000
// loopback targets at 1/s the exporter used 0.21–0.23 of a core on one
// P, against 0.27–0.29 with the two of a 2-CPU machine (alternating runs
// on a quiet machine): with little to do at each of a thousand wake-ups
// a second, the second P's thread spins looking for work and is woken
// and put back to sleep. One P handles far more than this rate; the
// margin is for scrapes, which then take turns with the sender (the
// round trips are timed from the kernel's stamps, so a send that waits
// does not lengthen one).
const probesPerProc = 20000

// procsFor is how many Ps a probe rate gets: one per probesPerProc
// begun, at most max.
func procsFor(rate float64, max int) int {
	return min(1+int(rate/probesPerProc), max)
}

// procSetter returns what sizes the scheduler to a probe rate: nothing
// when the GOMAXPROCS environment variable chose the Ps (the user's
// word stands), else runtime.GOMAXPROCS bounded by its value at start
// (the CPUs, or the container's CPU limit, as the runtime read them).
func procSetter() func(rate float64) {
	if os.Getenv("GOMAXPROCS") != "" {
		return func(float64) {}
	}
	max := runtime.GOMAXPROCS(0)
	return func(rate float64) {
		if n := procsFor(rate, max); n != runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(n)
		}
	}
}

// probeRate is the probes a second of a configuration's echo and path
// targets.
func probeRate(ents []entry, pents []pathEntry) float64 {
	rate := 0.0
	for i := range ents {
		rate += 1 / ents[i].set.Interval.Seconds()
	}
	for i := range pents {
		s := pents[i].set
		rate += float64(s.MaxTTL*max(s.Flows, 1)) / s.Interval.Seconds()
	}
	return rate
}
