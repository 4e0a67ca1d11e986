package sched

import (
	"hash/maphash"
	"time"
)

// Periodic runs jobs, each every its own interval, spread evenly over
// time. A job runs at the times whose Unix time is its phase modulo its
// interval, the phase, in [0, interval), coming from a hash of the
// job's key: the phases of many jobs are spread uniformly, so there is
// no burst at the top of each second, and a job's phase depends on
// nothing but its key and interval, so adding or removing a job moves no
// other one, removing a key and adding it again puts it back on its old
// times, and with a Hash that does not depend on the process a
// restarted program keeps them too. The alignment to Unix time is taken
// once, from the first time the Periodic sees; after that only the
// monotonic clock counts, so a wall-clock step moves nothing.
//
// A job that falls behind by more than one interval (a stalled process)
// is not run again for each missed time: it runs once, then on its next
// time after now, and the runs it skipped are counted (Skipped). Runs
// never drift: the next time is the scheduled one plus the interval,
// whenever Due was called.
//
// The zero value is empty and ready, its keys hashed with a seed chosen
// at first use (phases stable for the Periodic's life).
type Periodic[K comparable] struct {
	// Hash, if set before the first Add, gives keys' phases instead:
	// one that does not depend on the process (a hash of a target's
	// name) keeps phases across restarts too.
	Hash func(K) uint64

	tb      timebase
	seed    maphash.Seed
	seeded  bool
	q       idHeap
	ids     map[K]int32
	jobs    []job[K]
	free    []int32
	skipped uint64
}

type job[K comparable] struct {
	key      K
	interval int64 // ns
	phase    int64 // ns after the base, in [0, interval)
}

// Job is a run Due returns: its key and the time it was scheduled for.
type Job[K comparable] struct {
	Key K
	At  time.Time
}

// Add schedules key every interval, first at its phase's next time at
// or after now. Adding a key already there with the same interval
// changes nothing; with another interval, it moves to that interval's
// next time. An interval of zero or less is taken as one nanosecond.
func (p *Periodic[K]) Add(key K, interval time.Duration, now time.Time) {
	iv := max(int64(interval), 1)
	if p.ids == nil {
		p.ids = make(map[K]int32)
	}
	n := p.tb.ns(now)
	id, ok := p.ids[key]
	if ok && p.jobs[id].interval == iv {
		return
	}
	if !ok {
		if k := len(p.free); k > 0 {
			id, p.free = p.free[k-1], p.free[:k-1]
		} else {
			id = int32(len(p.jobs))
			p.jobs = append(p.jobs, job[K]{})
		}
		p.ids[key] = id
	}
	// The phase in Unix time, as an offset from the base.
	ph := (int64(p.hash(key)%uint64(iv)) - p.tb.base.UnixNano()%iv) % iv
	if ph < 0 {
		ph += iv
	}
	p.jobs[id] = job[K]{key: key, interval: iv, phase: ph}
	p.q.set(id, nextSlot(n, ph, iv, false))
}

// Phase returns the phase key's job has, or would have, at interval: it
// runs when the Unix time modulo interval is that.
func (p *Periodic[K]) Phase(key K, interval time.Duration) time.Duration {
	iv := max(int64(interval), 1)
	return time.Duration(p.hash(key) % uint64(iv))
}

func (p *Periodic[K]) hash(key K) uint64 {
	if p.Hash != nil {
		return p.Hash(key)
	}
	if !p.seeded {
		p.seed, p.seeded = maphash.MakeSeed(), true
	}
	return maphash.Comparable(p.seed, key)
}

// nextSlot returns the first time phase + k·interval at or after n (or
// strictly after n, when after is set), for n ≥ 0.
func nextSlot(n, phase, interval int64, after bool) int64 {
	k := (n - phase) / interval
	if n < phase {
		k = 0
	}
	t := phase + k*interval
	for t < n || after && t == n {
		t += interval
	}
	return t
}

// Remove takes key's job out; a key not there is ignored.
func (p *Periodic[K]) Remove(key K) {
	id, ok := p.ids[key]
	if !ok {
		return
	}
	delete(p.ids, key)
	p.q.remove(id)
	var zero K
	p.jobs[id].key = zero
	p.free = append(p.free, id)
}

// Has reports whether key has a job.
func (p *Periodic[K]) Has(key K) bool {
	_, ok := p.ids[key]
	return ok
}

// Len returns the number of jobs.
func (p *Periodic[K]) Len() int { return len(p.ids) }

// Next returns the time the earliest job is due.
func (p *Periodic[K]) Next() (at time.Time, ok bool) {
	if p.q.len() == 0 {
		return at, false
	}
	return p.tb.time(p.q.h[0].at), true
}

// Due appends to out the keys of the jobs due at now, the earliest
// first, reschedules them and returns out.
func (p *Periodic[K]) Due(now time.Time, out []K) []K {
	n := p.tb.ns(now)
	for p.q.len() > 0 && p.q.h[0].at <= n {
		out = append(out, p.jobs[p.q.h[0].id].key)
		p.advance(n)
	}
	return out
}

// DueJobs is Due with the time each run was scheduled for, from which
// a caller measures how late it is.
func (p *Periodic[K]) DueJobs(now time.Time, out []Job[K]) []Job[K] {
	n := p.tb.ns(now)
	for p.q.len() > 0 && p.q.h[0].at <= n {
		e := p.q.h[0]
		out = append(out, Job[K]{Key: p.jobs[e.id].key, At: p.tb.time(e.at)})
		p.advance(n)
	}
	return out
}

// advance moves the earliest job, due at n, to its next time.
func (p *Periodic[K]) advance(n int64) {
	e := p.q.h[0]
	j := &p.jobs[e.id]
	next := e.at + j.interval
	if next <= n { // behind by more than an interval: skip, do not burst
		later := nextSlot(n, j.phase, j.interval, true)
		p.skipped += uint64((later - next) / j.interval)
		next = later
	}
	p.q.h[0].at = next
	p.q.down(0)
}

// Skipped returns how many runs were skipped because a job fell more
// than an interval behind.
func (p *Periodic[K]) Skipped() uint64 { return p.skipped }
