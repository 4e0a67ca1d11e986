package sched

import "time"

// idHeap is a binary min-heap of (time, id) in which every id knows its
// index (pos), so that any entry is removed or moved in O(log n). Ids
// are small integers the owner recycles, so pos is a slice, not a map.
type idHeap struct {
	h   []entry
	pos []int32 // pos[id]: index in h, or -1
}

type entry struct {
	at int64 // ns since the owner's base
	id int32
}

func (q *idHeap) len() int { return len(q.h) }

// grow makes room in pos for id.
func (q *idHeap) grow(id int32) {
	for int(id) >= len(q.pos) {
		q.pos = append(q.pos, -1)
	}
}

func (q *idHeap) has(id int32) bool { return int(id) < len(q.pos) && q.pos[id] >= 0 }

func (q *idHeap) push(id int32, at int64) {
	q.grow(id)
	q.h = append(q.h, entry{at: at, id: id})
	q.pos[id] = int32(len(q.h) - 1)
	q.up(len(q.h) - 1)
}

// set moves id, in the heap or not, to at.
func (q *idHeap) set(id int32, at int64) {
	if !q.has(id) {
		q.push(id, at)
		return
	}
	i := int(q.pos[id])
	q.h[i].at = at
	q.down(i)
	q.up(i)
}

// remove takes id out; it reports whether it was in.
func (q *idHeap) remove(id int32) bool {
	if !q.has(id) {
		return false
	}
	i, last := int(q.pos[id]), len(q.h)-1
	q.pos[id] = -1
	if i != last {
		q.h[i] = q.h[last]
		q.pos[q.h[i].id] = int32(i)
	}
	q.h = q.h[:last]
	if i < last {
		q.down(i)
		q.up(i)
	}
	return true
}

func (q *idHeap) swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.pos[q.h[i].id] = int32(i)
	q.pos[q.h[j].id] = int32(j)
}

func (q *idHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.h[i].before(q.h[p]) {
			return
		}
		q.swap(p, i)
		i = p
	}
}

func (q *idHeap) down(i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q.h) && q.h[l].before(q.h[m]) {
			m = l
		}
		if r < len(q.h) && q.h[r].before(q.h[m]) {
			m = r
		}
		if m == i {
			return
		}
		q.swap(i, m)
		i = m
	}
}

// before orders by time, then by id, so that equal times come out in a
// fixed order whatever the history of the heap.
func (e entry) before(o entry) bool { return e.at < o.at || e.at == o.at && e.id < o.id }

// timebase converts between time.Time and 64-bit nanoseconds since the
// first time it saw (its base). Subtracting keeps the monotonic reading
// of a real clock's times; a base's Add keeps it on the way back.
type timebase struct {
	base time.Time
	set  bool
}

func (b *timebase) ns(t time.Time) int64 {
	if !b.set {
		b.base, b.set = t, true
	}
	return int64(t.Sub(b.base))
}

func (b *timebase) time(ns int64) time.Time { return b.base.Add(time.Duration(ns)) }
