package exporter

import (
	"math/bits"
	"sync"
	"time"
)

// windowLen is how many recent probes the landing page's loss and RTT
// are taken over.
const windowLen = 64

// window holds a target's last windowLen outcomes (reply or lost), for
// the landing page; the counters behind /metrics do not depend on it.
type window struct {
	mu   sync.Mutex
	lost uint64 // bit i set: outcome i was a loss
	rtt  [windowLen]float32
	n    int // outcomes held, up to windowLen
	next int // where the next one goes
}

func (w *window) add(lost bool, rtt time.Duration) {
	w.mu.Lock()
	bit := uint64(1) << w.next
	if lost {
		w.lost |= bit
	} else {
		w.lost &^= bit
	}
	w.rtt[w.next] = float32(rtt.Seconds())
	w.next = (w.next + 1) % windowLen
	w.n = min(w.n+1, windowLen)
	w.mu.Unlock()
}

// summary returns the loss ratio and mean RTT of the outcomes held
// (n = 0: none yet; replies = 0: no RTT).
func (w *window) summary() (n int, loss float64, meanRTT time.Duration, replies int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		return 0, 0, 0, 0
	}
	mask := ^uint64(0)
	if w.n < windowLen {
		mask = uint64(1)<<w.n - 1
	}
	lost := bits.OnesCount64(w.lost & mask)
	var sum float64
	for i := range w.n {
		if w.lost&(uint64(1)<<i) == 0 {
			sum += float64(w.rtt[i])
		}
	}
	replies = w.n - lost
	if replies > 0 {
		meanRTT = time.Duration(sum / float64(replies) * float64(time.Second))
	}
	return w.n, float64(lost) / float64(w.n), meanRTT, replies
}
