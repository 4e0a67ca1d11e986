package echo

// bucket is a token bucket holding a millisecond's worth of tokens (at
// least one), so a paced run sends in small bursts at most.
type bucket struct {
	rate, cap, tokens float64
	at                int64
}

func newBucket(rate float64) bucket {
	c := max(1, rate/1000)
	return bucket{rate: rate, cap: c, tokens: c}
}

func (b *bucket) refill(t int64) {
	if b.at != 0 && t > b.at {
		b.tokens = min(b.cap, b.tokens+float64(t-b.at)*b.rate/1e9)
	}
	b.at = t
}

func (b *bucket) readyAt(t int64) int64 {
	if b.rate == 0 {
		return t
	}
	b.refill(t)
	if b.tokens >= 1 {
		return t
	}
	return t + int64((1-b.tokens)/b.rate*1e9) + 1
}

func (b *bucket) take(t int64) {
	if b.rate == 0 {
		return
	}
	b.refill(t)
	b.tokens--
}
