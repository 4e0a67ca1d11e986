package sched

import "time"

// Clock is a time source: Real is the system's, Fake a test's.
type Clock interface {
	// Now returns the current time; Real's carries a monotonic reading.
	Now() time.Time
	// NewTimer returns a running timer that fires once after d.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer, as time.Timer is one (Go 1.23 semantics:
// Reset and Stop leave no stale value in C).
type Timer interface {
	C() <-chan time.Time
	// Reset makes the timer fire d from now, whether it had fired,
	// been stopped or was running.
	Reset(d time.Duration)
	// Stop keeps the timer from firing; it reports whether it was
	// running.
	Stop() bool
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time   { return r.t.C }
func (r realTimer) Reset(d time.Duration) { r.t.Reset(d) }
func (r realTimer) Stop() bool            { return r.t.Stop() }
