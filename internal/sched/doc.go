// Package sched is the scheduling core of rawkit's long-running probers
// (the echo Monitor behind `rawkit exporter`, the path monitor behind
// `rawkit mtr`): a [Clock], [Periodic] jobs spread evenly over time and
// one-shot [Deadlines]. It does no I/O and starts no goroutine; its
// types are not safe for concurrent use, their owner holds the lock.
//
// # Time
//
// Times go in and out as time.Time, and are kept inside as 64-bit
// nanosecond offsets from the first time a structure saw (t.Sub(base)),
// so that a real clock's monotonic reading is what orders them: a wall
// clock step neither stalls nor bursts a schedule, and nothing wraps in
// 292 years.
//
// # Testing
//
// Code that takes a Clock runs in tests on a [Fake], whose time moves
// only when the test calls Advance or Set. Code written against the
// real clock (Real) can instead run inside a testing/synctest bubble,
// where time.Now and timers follow the bubble's fake clock and time
// jumps whenever every goroutine of the bubble is blocked: that is how
// the echo Monitor's tests run weeks of probing in seconds.
package sched
