package inject

import (
	"context"
	"sync/atomic"
	"time"
)

// sendAll sends the packets Count times, paced by Rate or Interval, in
// batches of consecutive packets to one destination: WriteBatch takes one
// destination, which with the header included is only the kernel's route
// lookup key, the header's own destination going on the wire (raw(7)).
func (s *Session) sendAll(ctx context.Context, res *Result, sendTimes []atomic.Int64) error {
	n := len(s.pkts)
	total := n * s.cfg.Count
	gap := s.cfg.Interval
	if s.cfg.Rate > 0 {
		gap = time.Duration(float64(time.Second) / s.cfg.Rate)
		if gap <= 0 {
			gap = 0 // over a billion per second: as fast as possible
		}
	}
	batch := make([][]byte, 0, batchSize)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	start := time.Now()
	for k := 0; k < total; {
		want := min(total-k, batchSize)
		if gap > 0 {
			// Packets due by now: the (k+1)th is due at start+k*gap.
			due := int(time.Since(start)/gap) + 1 - k
			if due <= 0 {
				d := time.Until(start.Add(time.Duration(k) * gap))
				if timer == nil {
					timer = time.NewTimer(d)
				} else {
					timer.Reset(d)
				}
				select {
				case <-timer.C:
				case <-ctx.Done():
					return ctx.Err()
				}
				continue
			}
			want = min(want, due)
		}
		first := k % n
		dst := s.pkts[first].Dst
		batch = batch[:0]
		for j := 0; j < want; j++ {
			p := &s.pkts[(k+j)%n]
			if p.Dst != dst {
				break
			}
			batch = append(batch, p.Bytes)
		}
		now := time.Now()
		if k == 0 {
			res.Start = now
		}
		for j := range batch {
			sendTimes[(k+j)%n].Store(now.UnixNano())
		}
		var sent int
		var err error
		if len(batch) == 1 {
			if _, err = s.send.WriteToAddr(ctx, batch[0], dst); err == nil {
				sent = 1
			}
		} else {
			sent, err = s.send.WriteBatch(ctx, batch, dst)
		}
		if sent > 0 {
			res.End = time.Now()
		}
		if s.cfg.Sent != nil {
			for j := 0; j < sent; j++ {
				s.cfg.Sent((k+j)%n, batch[j], now)
			}
		}
		k += sent
		res.Sent = k
		if err != nil {
			return err
		}
	}
	return nil
}
