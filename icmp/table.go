package icmp

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
}

// deadlineHeap is a binary min-heap of probe deadlines. Entries are not
// removed when a probe is answered; a popped entry whose slot has moved on
// is simply dropped. Its size is bounded by the ring.
type deadlineHeap []deadlineEntry

type deadlineEntry struct {
	at    int64
	probe uint32
}

func (h *deadlineHeap) push(e deadlineEntry) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].at <= s[i].at {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h deadlineHeap) top() (deadlineEntry, bool) {
	if len(h) == 0 {
		return deadlineEntry{}, false
	}
	return h[0], true
}

func (h *deadlineHeap) pop() deadlineEntry {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].at < s[m].at {
			m = l
		}
		if r < len(s) && s[r].at < s[m].at {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
