package sched_test

import (
	"fmt"
	"time"

	"github.com/rawkit/rawkit/internal/sched"
)

// Three targets probed every second and one every two: each gets its
// own phase, so they do not all go at the top of the second.
func ExamplePeriodic() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := sched.Periodic[string]{
		// A fixed hash for a fixed output; the default is a seeded one.
		Hash: func(k string) uint64 { return uint64(k[0]-'a') * 250_000_000 },
	}
	for _, k := range []string{"a", "b", "c"} {
		p.Add(k, time.Second, start)
	}
	p.Add("d", 2*time.Second, start)
	var out []sched.Job[string]
	for ms := 0; ms < 3000; ms += 250 {
		for _, j := range p.DueJobs(start.Add(time.Duration(ms)*time.Millisecond), out[:0]) {
			fmt.Println(j.At.Sub(start), j.Key)
		}
	}
	// Output:
	// 0s a
	// 250ms b
	// 500ms c
	// 750ms d
	// 1s a
	// 1.25s b
	// 1.5s c
	// 2s a
	// 2.25s b
	// 2.5s c
	// 2.75s d
}

// Per-probe timeouts: an answered probe leaves the heap by its handle.
func ExampleDeadlines() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var d sched.Deadlines[int]
	d.Push(start.Add(2*time.Second), 1)
	h := d.Push(start.Add(1*time.Second), 2)
	d.Push(start.Add(3*time.Second), 3)
	d.Remove(h) // probe 2 was answered
	for {
		at, probe, ok := d.PopDue(start.Add(2500 * time.Millisecond))
		if !ok {
			break
		}
		fmt.Println("probe", probe, "lost at", at.Sub(start))
	}
	fmt.Println(d.Len(), "still waiting")
	// Output:
	// probe 1 lost at 2s
	// 1 still waiting
}

func ExampleFake() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := sched.NewFake(start)
	t := f.NewTimer(time.Minute)
	f.Advance(time.Hour)
	fmt.Println((<-t.C()).Sub(start), f.Now().Sub(start))
	// Output:
	// 1m0s 1h0m0s
}
