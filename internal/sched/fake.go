package sched

import (
	"sync"
	"time"
)

// Fake is a Clock for tests: its time moves only through Advance and
// Set, which fire the timers that come due on the way, in order. It is
// safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer // running ones
	wake   chan struct{}
}

// NewFake returns a Fake clock reading start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, wake: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that fires when the fake time reaches now+d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{f: f, c: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

// Advance moves the fake time forward by d.
func (f *Fake) Advance(d time.Duration) { f.Set(f.Now().Add(d)) }

// Set moves the fake time to t, firing every timer due by then, the
// earliest first, each with the time it was due. A t before the current
// time is ignored: time does not go back.
func (f *Fake) Set(t time.Time) {
	for {
		f.mu.Lock()
		if t.Before(f.now) {
			f.mu.Unlock()
			return
		}
		first := -1
		for i, tm := range f.timers {
			if !tm.at.After(t) && (first < 0 || tm.at.Before(f.timers[first].at)) {
				first = i
			}
		}
		if first < 0 {
			f.now = t
			f.mu.Unlock()
			return
		}
		tm := f.timers[first]
		f.remove(tm)
		f.now = tm.at
		select { // a buffered channel of one, as time.Timer's
		case tm.c <- tm.at:
		default:
		}
		f.mu.Unlock()
	}
}

// Timers returns how many timers are running: a test waits for the code
// under test to block on one before it advances the time.
func (f *Fake) Timers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// BlockUntil waits until at least n timers are running.
func (f *Fake) BlockUntil(n int) {
	for {
		f.mu.Lock()
		if len(f.timers) >= n {
			f.mu.Unlock()
			return
		}
		w := f.wake
		f.mu.Unlock()
		<-w
	}
}

// remove takes tm off the running list; f.mu is held.
func (f *Fake) remove(tm *fakeTimer) bool {
	for i, x := range f.timers {
		if x == tm {
			f.timers = append(f.timers[:i], f.timers[i+1:]...)
			return true
		}
	}
	return false
}

type fakeTimer struct {
	f  *Fake
	c  chan time.Time
	at time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Reset(d time.Duration) {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remove(t)
	select { // drop a value not received: Go 1.23 timers leave none
	case <-t.c:
	default:
	}
	t.at = f.now.Add(d)
	if d <= 0 {
		t.c <- t.at
		return
	}
	f.timers = append(f.timers, t)
	close(f.wake)
	f.wake = make(chan struct{})
}

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	drained := false
	select { // a value not yet received counts as not fired, as in Go 1.23
	case <-t.c:
		drained = true
	default:
	}
	return t.f.remove(t) || drained
}
