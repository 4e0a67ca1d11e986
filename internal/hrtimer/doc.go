// Package hrtimer has timers that wake on time, for waits whose end is
// part of a measurement: a lab link's delay, the moment a trace gives up
// on a probe.
//
// Go's timers cannot: the runtime sleeps in epoll_wait(2), whose timeout
// is in whole milliseconds, so a timer due in 4.3 ms wakes after 4 ms and
// then sleeps one more millisecond (BenchmarkWakeLate: about 1 ms late,
// against tens of microseconds here). A timer file's expiry is an hrtimer
// without slack (timerfd_create(2)); its readiness wakes the poller
// within the scheduler's wake-up latency.
//
// Timers exist on Linux only; elsewhere New returns ErrNotImplemented and
// callers keep Go's timers.
package hrtimer
