package echo

import (
	"context"
	"time"
)

// minWake returns the earlier of two wake times, -1 meaning none.
func minWake(a, b int64) int64 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}

// sleep waits until wake (ns; -1 = no timer), a kick from the receiver or
// the end of ctx.
func (e *Engine) sleep(ctx context.Context, timer *time.Timer, wake int64) error {
	var c <-chan time.Time
	if wake >= 0 {
		timer.Reset(time.Duration(wake - now()))
		c = timer.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-e.kick:
	case <-c:
	}
	if !timer.Stop() && c != nil {
		select { // drain a fire that raced with the kick
		case <-timer.C:
		default:
		}
	}
	// A probe due when ctx's deadline comes (iputils -w 1 -i 0.2: the
	// sixth) is not sent, as iputils' alarm ends the run first; the two
	// timers firing together must not make it a coin toss.
	if dl, ok := ctx.Deadline(); ok && now() >= dl.UnixNano() {
		return context.DeadlineExceeded
	}
	return nil
}
