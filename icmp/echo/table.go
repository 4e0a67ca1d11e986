package echo

// The probe table. Every probe has a 32-bit number, counted from 1 over the
// whole run; its low 16 bits are the ICMP sequence and pick its slot in a
// ring of 65,536. A slot keeps its probe's state until the probe 65,536
// later takes it, so a duplicate is recognised for as long as its sequence
// number is not reused, and a reply that carries an older number than the
// slot's (a wrap-around survivor) is recognised as stale, never as a
// duplicate. A slot still pending when its number comes round again holds
// the sender back: at most 65,536 probes are ever outstanding.

const ringSize = 1 << 16

type slotState uint8

const (
	slotFree slotState = iota
	slotPending
	slotReplied
	slotLost    // its deadline passed without a reply
	slotErrored // an ICMP error answered it
)

type slot struct {
	probe    uint32 // full probe number; 0 for a free slot
	target   int32  // index into the run's targets
	n        uint32 // the target's own probe count, from 1
	state    slotState
	sent     int64 // send time, ns since the Unix epoch
	deadline int64 // ns since the Unix epoch
	hidx     int32 // index of its deadline in the heap; -1 when none
}

// deadlineHeap is a binary min-heap of the deadlines of pending probes.
// Each pending slot knows where its entry is (slot.hidx), so an answered
// probe leaves the heap at once: it never holds more than the ring's
// 65,536 entries, however long and fast the run.
type deadlineHeap struct {
	h    []deadlineEntry
	ring []slot
}

type deadlineEntry struct {
	at    int64
	probe uint32
}

func (d *deadlineHeap) len() int { return len(d.h) }

func (d *deadlineHeap) top() (deadlineEntry, bool) {
	if len(d.h) == 0 {
		return deadlineEntry{}, false
	}
	return d.h[0], true
}

func (d *deadlineHeap) set(i int) { d.ring[uint16(d.h[i].probe)].hidx = int32(i) }

func (d *deadlineHeap) swap(i, j int) {
	d.h[i], d.h[j] = d.h[j], d.h[i]
	d.set(i)
	d.set(j)
}

func (d *deadlineHeap) push(e deadlineEntry) {
	d.h = append(d.h, e)
	d.set(len(d.h) - 1)
	d.up(len(d.h) - 1)
}

func (d *deadlineHeap) pop() deadlineEntry {
	top := d.h[0]
	d.remove(0)
	return top
}

// remove takes out entry i.
func (d *deadlineHeap) remove(i int) {
	last := len(d.h) - 1
	d.ring[uint16(d.h[i].probe)].hidx = -1
	if i != last {
		d.h[i] = d.h[last]
		d.set(i)
	}
	d.h = d.h[:last]
	if i < last {
		d.down(i)
		d.up(i)
	}
}

func (d *deadlineHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if d.h[p].at <= d.h[i].at {
			return
		}
		d.swap(p, i)
		i = p
	}
}

func (d *deadlineHeap) down(i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(d.h) && d.h[l].at < d.h[m].at {
			m = l
		}
		if r < len(d.h) && d.h[r].at < d.h[m].at {
			m = r
		}
		if m == i {
			return
		}
		d.swap(i, m)
		i = m
	}
}

// unschedule drops the deadline of a probe that no longer waits.
func (d *deadlineHeap) unschedule(sl *slot) {
	if sl.hidx >= 0 && int(sl.hidx) < len(d.h) && d.h[sl.hidx].probe == sl.probe {
		d.remove(int(sl.hidx))
	}
	sl.hidx = -1
}
