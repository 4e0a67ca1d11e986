package echo

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The heap against a sorted list, under random pushes, pops and the
// removals answered probes cause.
func TestDeadlineHeap(t *testing.T) {
	ring := make([]slot, ringSize)
	h := deadlineHeap{ring: ring}
	r := rand.New(rand.NewPCG(1, 2))
	var live []deadlineEntry
	for no := uint32(1); no < 20000; no++ {
		e := deadlineEntry{at: r.Int64N(1000), probe: no}
		ring[uint16(no)] = slot{probe: no, state: slotPending, hidx: -1}
		h.push(e)
		live = append(live, e)
		switch r.IntN(3) {
		case 0: // a reply: leave the heap wherever the entry is
			i := r.IntN(len(live))
			h.unschedule(&ring[uint16(live[i].probe)])
			live = slices.Delete(live, i, i+1)
		case 1:
			got := h.pop()
			slices.SortStableFunc(live, func(a, b deadlineEntry) int { return int(a.at - b.at) })
			if got.at != live[0].at {
				t.Fatalf("popped deadline %d, want %d", got.at, live[0].at)
			}
			i := slices.IndexFunc(live, func(e deadlineEntry) bool { return e.probe == got.probe })
			live = slices.Delete(live, i, i+1)
		}
		if h.len() != len(live) {
			t.Fatalf("heap holds %d, want %d", h.len(), len(live))
		}
	}
}
