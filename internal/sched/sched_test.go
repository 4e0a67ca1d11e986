package sched

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)

// mix is a fixed hash (splitmix64's finaliser), so that phases, and the
// tests' bounds on them, do not change from run to run.
func mix(k int) uint64 {
	z := uint64(k) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func TestDeadlinesOrderAndRemove(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var d Deadlines[int]
	want := map[int]int64{} // value -> at (ns after t0)
	handles := map[int]Handle{}
	for i := range 20000 {
		switch {
		case r.IntN(3) > 0 || len(want) == 0:
			at := r.Int64N(1 << 40)
			handles[i] = d.Push(t0.Add(time.Duration(at)), i)
			want[i] = at
		default:
			for v, h := range handles { // any one
				got, ok := d.Remove(h)
				if !ok || got != v {
					t.Fatalf("Remove(%v) = %d, %v; want %d, true", h, got, ok, v)
				}
				if _, ok := d.Remove(h); ok {
					t.Fatalf("second Remove(%v) took an entry", h)
				}
				delete(handles, v)
				delete(want, v)
				break
			}
		}
	}
	if d.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", d.Len(), len(want))
	}
	prev := int64(-1)
	for d.Len() > 0 {
		at, v, ok := d.Pop()
		ns := int64(at.Sub(t0))
		if !ok || ns != want[v] || ns < prev {
			t.Fatalf("Pop = %v (%d ns), %d, %v; want %d ns, not before %d", at, ns, v, ok, want[v], prev)
		}
		if d.Contains(handles[v]) {
			t.Fatalf("handle of popped %d still contained", v)
		}
		prev = ns
		delete(want, v)
	}
	if len(want) != 0 {
		t.Fatalf("%d entries never popped", len(want))
	}
}

func TestDeadlinesStaleHandle(t *testing.T) {
	t.Parallel()
	var d Deadlines[string]
	h1 := d.Push(t0, "a")
	d.Pop()
	h2 := d.Push(t0, "b") // reuses a's slot
	if _, ok := d.Remove(h1); ok {
		t.Fatal("a stale handle removed the entry that reused its slot")
	}
	if d.Reset(h1, t0.Add(time.Hour)) {
		t.Fatal("a stale handle moved the entry that reused its slot")
	}
	if _, ok := d.Remove(Handle{}); ok {
		t.Fatal("the zero Handle removed an entry")
	}
	if v, ok := d.Remove(h2); !ok || v != "b" {
		t.Fatalf("Remove(h2) = %q, %v", v, ok)
	}
}

func TestDeadlinesResetAndPopDue(t *testing.T) {
	t.Parallel()
	var d Deadlines[int]
	a := d.Push(t0.Add(3*time.Second), 1)
	d.Push(t0.Add(2*time.Second), 2)
	d.Reset(a, t0.Add(time.Second))
	if _, _, ok := d.PopDue(t0.Add(999 * time.Millisecond)); ok {
		t.Fatal("PopDue returned an entry before its time")
	}
	for _, want := range []int{1, 2} {
		if _, v, ok := d.PopDue(t0.Add(2 * time.Second)); !ok || v != want {
			t.Fatalf("PopDue = %d, %v; want %d", v, ok, want)
		}
	}
}

func TestDeadlinesSteadyStateAllocs(t *testing.T) {
	var d Deadlines[int]
	for i := range 1000 {
		d.Push(t0.Add(time.Duration(i)), i)
	}
	i := 1000
	allocs := testing.AllocsPerRun(10000, func() {
		_, v, _ := d.Pop()
		h := d.Push(t0.Add(time.Duration(i)), v)
		d.Reset(h, t0.Add(time.Duration(i+1)))
		i++
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per pop and push", allocs)
	}
}

// TestPeriodicSpread: 10,000 jobs at 1 s spread over the second with no
// 10 ms bucket holding much more than its share (100), the top of the
// second included.
func TestPeriodicSpread(t *testing.T) {
	t.Parallel()
	p := Periodic[int]{Hash: mix}
	for k := range 10000 {
		p.Add(k, time.Second, t0)
	}
	var buckets [100]int
	var out []int
	for ms := 0; ms < 1000; ms++ {
		out = p.Due(t0.Add(time.Duration(ms+1)*time.Millisecond-1), out[:0])
		buckets[ms/10] += len(out)
	}
	total := 0
	for i, n := range buckets {
		total += n
		if n > 150 || n < 50 {
			t.Errorf("10 ms bucket %d holds %d runs; want about 100", i, n)
		}
	}
	if total != 10000 {
		t.Fatalf("%d runs in the first second, want 10000", total)
	}
}

// TestPeriodicStable: adding and removing jobs moves no other job, and a
// job removed and added again comes back on its old times.
func TestPeriodicStable(t *testing.T) {
	t.Parallel()
	times := func(p *Periodic[int], from time.Time) map[int]time.Duration {
		got := map[int]time.Duration{}
		var out []Job[int]
		for ms := 0; ms < 2000; ms++ {
			out = p.DueJobs(from.Add(time.Duration(ms)*time.Millisecond), out[:0])
			for _, j := range out {
				if _, ok := got[j.Key]; !ok {
					got[j.Key] = j.At.Sub(t0) % time.Second
				}
			}
		}
		return got
	}
	a := &Periodic[int]{Hash: mix}
	b := &Periodic[int]{Hash: mix}
	for k := range 100 {
		a.Add(k, time.Second, t0)
		b.Add(k, time.Second, t0)
	}
	for k := 100; k < 200; k++ {
		b.Add(k, time.Second, t0.Add(300*time.Millisecond))
	}
	b.Remove(7)
	b.Add(7, time.Second, t0.Add(400*time.Millisecond))
	ta, tb := times(a, t0), times(b, t0)
	for k := range 100 {
		if ta[k] != tb[k] || ta[k] != a.Phase(k, time.Second) {
			t.Errorf("job %d runs at +%v alone, at +%v with others added; phase %v", k, ta[k], tb[k], a.Phase(k, time.Second))
		}
	}
}

// TestPeriodicNoDrift: called late and irregularly for a billion
// seconds past its start, far past 2^32 ns, a job runs exactly on
// phase + k·interval every time.
func TestPeriodicNoDrift(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	p := Periodic[int]{Hash: mix}
	const iv = 3 * time.Millisecond
	p.Add(1, iv, t0)
	ph := p.Phase(1, iv)
	now := t0
	var out []Job[int]
	runs := 0
	for runs < 200000 {
		now = now.Add(time.Duration(r.Int64N(int64(iv))))
		out = p.DueJobs(now, out[:0])
		for _, j := range out {
			off := j.At.Sub(t0)
			if off%iv != ph || j.At.After(now) || now.Sub(j.At) >= iv {
				t.Fatalf("run %d scheduled at +%v, called at +%v: off its phase %v", runs, off, now.Sub(t0), ph)
			}
			runs++
		}
	}
	if p.Skipped() != 0 {
		t.Fatalf("%d runs skipped, though never more than an interval behind", p.Skipped())
	}
}

// TestPeriodicBehind: a job far behind runs once, then on its next time,
// and the runs it missed are counted, not made up in a burst.
func TestPeriodicBehind(t *testing.T) {
	t.Parallel()
	p := Periodic[int]{Hash: mix}
	p.Add(1, time.Second, t0)
	first, _ := p.Next()
	late := first.Add(10*time.Second + time.Millisecond)
	if got := p.Due(late, nil); !slices.Equal(got, []int{1}) {
		t.Fatalf("Due after a 10 s stall = %v, want [1]", got)
	}
	next, _ := p.Next()
	if want := first.Add(11 * time.Second); !next.Equal(want) {
		t.Fatalf("next run at %v, want %v", next, want)
	}
	if p.Skipped() != 10 {
		t.Fatalf("Skipped = %d, want 10", p.Skipped())
	}
	// Hundreds of years on, still exact.
	far := first.Add(200 * 365 * 24 * time.Hour)
	p.Due(far, nil)
	next, _ = p.Next()
	if next.Sub(first)%time.Second != 0 || !next.After(far) || next.Sub(far) > time.Second {
		t.Fatalf("next run %v after a stall to %v: off the grid", next, far)
	}
}

// TestPeriodicUnixPhase: a job runs on its phase of Unix time whatever
// time the Periodic started at, so a restart keeps its times.
func TestPeriodicUnixPhase(t *testing.T) {
	t.Parallel()
	for _, start := range []time.Time{t0, t0.Add(123456789), t0.Add(-7 * time.Hour).Add(999999999)} {
		p := Periodic[int]{Hash: mix}
		for k := range 50 {
			p.Add(k, 700*time.Millisecond, start)
		}
		var out []Job[int]
		seen := 0
		for ms := 0; ms < 1400; ms++ {
			for _, j := range p.DueJobs(start.Add(time.Duration(ms)*time.Millisecond), out[:0]) {
				seen++
				if got := time.Duration(j.At.UnixNano() % int64(700*time.Millisecond)); got != p.Phase(j.Key, 700*time.Millisecond) {
					t.Fatalf("start %v: job %d at Unix phase %v, want %v", start, j.Key, got, p.Phase(j.Key, 700*time.Millisecond))
				}
				if j.At.Before(start) {
					t.Fatalf("job %d at %v, before the start %v", j.Key, j.At, start)
				}
			}
		}
		if seen < 50 {
			t.Fatalf("start %v: %d runs", start, seen)
		}
	}
}

func TestPeriodicChangeInterval(t *testing.T) {
	t.Parallel()
	p := Periodic[int]{Hash: mix}
	p.Add(1, time.Second, t0)
	a, _ := p.Next()
	p.Add(1, time.Second, t0.Add(time.Millisecond)) // same: untouched
	if b, _ := p.Next(); !a.Equal(b) {
		t.Fatalf("re-adding with the same interval moved the job from %v to %v", a, b)
	}
	p.Add(1, 5*time.Second, t0)
	b, _ := p.Next()
	if b.Sub(t0) != p.Phase(1, 5*time.Second) {
		t.Fatalf("after a change to 5 s the job runs at +%v, want its phase %v", b.Sub(t0), p.Phase(1, 5*time.Second))
	}
	p.Remove(1)
	if _, ok := p.Next(); ok || p.Len() != 0 || p.Has(1) {
		t.Fatal("a removed job is still scheduled")
	}
}

func TestPeriodicSteadyStateAllocs(t *testing.T) {
	p := Periodic[int]{Hash: mix}
	for k := range 1000 {
		p.Add(k, time.Second, t0)
	}
	out := make([]int, 0, 1000)
	now := t0
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Millisecond)
		out = p.Due(now, out[:0])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Due", allocs)
	}
}

func TestFake(t *testing.T) {
	t.Parallel()
	f := NewFake(t0)
	a := f.NewTimer(2 * time.Second)
	b := f.NewTimer(time.Second)
	c := f.NewTimer(3 * time.Second)
	if !c.Stop() || c.Stop() {
		t.Fatal("Stop of a running timer, then of a stopped one, is not true, false")
	}
	f.Advance(1500 * time.Millisecond)
	select {
	case at := <-b.C():
		if !at.Equal(t0.Add(time.Second)) {
			t.Fatalf("b fired with %v", at)
		}
	default:
		t.Fatal("b did not fire")
	}
	select {
	case <-a.C():
		t.Fatal("a fired early")
	default:
	}
	if f.Timers() != 1 {
		t.Fatalf("%d timers running, want 1", f.Timers())
	}
	a.Reset(time.Second)
	f.Advance(999 * time.Millisecond)
	select {
	case <-a.C():
		t.Fatal("a fired before its reset time")
	default:
	}
	f.Set(t0) // back in time: ignored
	f.Advance(time.Millisecond)
	if at := <-a.C(); !at.Equal(t0.Add(2500 * time.Millisecond)) {
		t.Fatalf("a fired with %v", at)
	}
	go f.NewTimer(time.Hour)
	f.BlockUntil(1)
}
