package hrtimer

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestTimerSleeps(t *testing.T) {
	tm, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	for _, d := range []time.Duration{-time.Millisecond, 0, 300 * time.Microsecond, 3 * time.Millisecond} {
		start := time.Now()
		if err := tm.Sleep(d); err != nil {
			t.Fatalf("Sleep(%v): %v", d, err)
		}
		// Only the lower bound is exact; a loaded machine may wake late.
		if got := time.Since(start); got < d || got > d+time.Second {
			t.Errorf("Sleep(%v) took %v, want %v to %v", d, got, max(d, 0), d+time.Second)
		}
	}
}

func TestTimerCloseUnblocks(t *testing.T) {
	tm, err := New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- tm.Sleep(time.Hour) }()
	time.Sleep(10 * time.Millisecond) // let it block, most likely
	if err := tm.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("Sleep after close: %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end Sleep")
	}
}

// BenchmarkWakeLate reports how late a 4.3 ms wait wakes, on a Timer and
// on a Go timer (late-us/op).
func BenchmarkWakeLate(b *testing.B) {
	const d = 4300 * time.Microsecond
	tm, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer tm.Close()
	for _, c := range []struct {
		name  string
		sleep func()
	}{
		{"timerfd", func() { tm.Sleep(d) }},
		{"go-timer", func() { <-time.After(d) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var late time.Duration
			for b.Loop() {
				start := time.Now()
				c.sleep()
				late += time.Since(start) - d
			}
			b.ReportMetric(float64(late.Microseconds())/float64(b.N), "late-us/op")
		})
	}
}
