package sched

import "time"

// Deadlines is a min-heap of values each due at a time, for per-probe
// timeouts: Push is O(log n), and so is Remove through the Handle Push
// returned, however many entries there are. Its slots are reused, so a
// steady flow of pushes and pops allocates nothing. The zero value is
// empty and ready.
type Deadlines[V any] struct {
	tb   timebase
	q    idHeap
	vals []V
	gens []uint64 // generation of each slot; a Handle names one
	free []int32
}

// Handle names one entry of a Deadlines. The zero Handle names none.
type Handle struct {
	id  int32
	gen uint64 // from 1; 64 bits: a slot is never reused often enough to wrap it
}

// Push adds v, due at at, and returns its handle.
func (d *Deadlines[V]) Push(at time.Time, v V) Handle {
	var id int32
	if n := len(d.free); n > 0 {
		id, d.free = d.free[n-1], d.free[:n-1]
	} else {
		id = int32(len(d.vals))
		var zero V
		d.vals = append(d.vals, zero)
		d.gens = append(d.gens, 1)
	}
	d.vals[id] = v
	d.q.push(id, d.tb.ns(at))
	return Handle{id: id, gen: d.gens[id]}
}

// Len returns the number of entries.
func (d *Deadlines[V]) Len() int { return d.q.len() }

// Contains reports whether h's entry is still in.
func (d *Deadlines[V]) Contains(h Handle) bool {
	return h.gen != 0 && int(h.id) < len(d.gens) && d.gens[h.id] == h.gen && d.q.has(h.id)
}

// Remove takes out h's entry and returns its value; ok is false when
// it was not in (popped, removed, or the zero Handle).
func (d *Deadlines[V]) Remove(h Handle) (v V, ok bool) {
	if !d.Contains(h) {
		return v, false
	}
	d.q.remove(h.id)
	return d.release(h.id), true
}

// Reset moves h's entry to at; it reports whether the entry was in.
func (d *Deadlines[V]) Reset(h Handle, at time.Time) bool {
	if !d.Contains(h) {
		return false
	}
	d.q.set(h.id, d.tb.ns(at))
	return true
}

// Peek returns the earliest entry without removing it.
func (d *Deadlines[V]) Peek() (at time.Time, v V, ok bool) {
	if d.q.len() == 0 {
		return at, v, false
	}
	e := d.q.h[0]
	return d.tb.time(e.at), d.vals[e.id], true
}

// Pop removes and returns the earliest entry.
func (d *Deadlines[V]) Pop() (at time.Time, v V, ok bool) {
	if d.q.len() == 0 {
		return at, v, false
	}
	e := d.q.h[0]
	d.q.remove(e.id)
	return d.tb.time(e.at), d.release(e.id), true
}

// PopDue removes and returns the earliest entry if it is due at now
// (its time is not after now).
func (d *Deadlines[V]) PopDue(now time.Time) (at time.Time, v V, ok bool) {
	if d.q.len() == 0 || d.q.h[0].at > d.tb.ns(now) {
		return at, v, false
	}
	return d.Pop()
}

// release frees slot id and returns the value it held.
func (d *Deadlines[V]) release(id int32) V {
	v := d.vals[id]
	var zero V
	d.vals[id] = zero // let the value go
	d.gens[id]++
	d.free = append(d.free, id)
	return v
}
