package inject

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkit/rawkit/raw"
)

// sendAll sends the packets Count times, paced by Rate or Interval, in
// batches of consecutive packets to one destination: WriteBatch takes one
// destination, which with the header included is only the kernel's route
// lookup key, the header's own destination going on the wire (raw(7)).
// With several sockets, each sends every len(s.send)-th batch.
func (s *Session) sendAll(ctx context.Context, res *Result, sendTimes []atomic.Int64) error {
	if len(s.send) == 1 {
		return s.sendPart(ctx, 0, res, sendTimes)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make([]Result, len(s.send))
	errs := make([]error, len(s.send))
	var wg sync.WaitGroup
	for w := range s.send {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[w] = s.sendPart(ctx, w, &parts[w], sendTimes); errs[w] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, p := range parts {
		res.Sent += p.Sent
		if !p.Start.IsZero() && (res.Start.IsZero() || p.Start.Before(res.Start)) {
			res.Start = p.Start
		}
		if p.End.After(res.End) {
			res.End = p.End
		}
	}
	for _, err := range errs { // the cause, not the cancellation it caused
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// sendPart sends batches w, w+W, w+2W... (W sockets) through socket w.
func (s *Session) sendPart(ctx context.Context, w int, res *Result, sendTimes []atomic.Int64) error {
	p := pacer{gap: s.cfg.Interval}
	if s.cfg.Rate > 0 {
		p.gap = time.Duration(float64(time.Second) / s.cfg.Rate) // 0 above 1e9/s: no pacing
	}
	defer p.stop()
	n := s.n
	total := n * s.cfg.Count
	batch := make([][]byte, 0, batchSize)
	for chunk := w * batchSize; chunk < total; chunk += len(s.send) * batchSize {
		end := min(chunk+batchSize, total)
		for k := chunk; k < end; {
			due, err := p.due(ctx, res.Sent)
			if err != nil {
				return err
			}
			want := min(end-k, due)
			dst, link := s.dst[k%n], s.isLink(k%n)
			batch = batch[:0]
			for j := 0; j < want && s.dst[(k+j)%n] == dst && s.isLink((k+j)%n) == link; j++ {
				b, err := s.packet(w, (k+j)%n)
				if err != nil {
					return err
				}
				batch = append(batch, b)
			}
			now := time.Now()
			if res.Start.IsZero() {
				res.Start = now
			}
			for j := range batch {
				sendTimes[(k+j)%n].Store(now.UnixNano())
			}
			sent, err := s.write(ctx, s.send[w], batch, link)
			if sent > 0 {
				res.End = time.Now()
			}
			if s.cfg.Sent != nil {
				for j := 0; j < sent; j++ {
					s.cfg.Sent((k+j)%n, batch[j], now)
				}
			}
			k += sent
			res.Sent += sent
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// write sends a batch to its first packet's destination: one packet
// with sendto(2), more with sendmmsg(2); through the packet socket when
// link is set.
func (s *Session) write(ctx context.Context, c *raw.Conn, batch [][]byte, link bool) (int, error) {
	dst := s.dst[0]
	switch b := batch[0]; {
	case dst.Is6() && len(b) >= 40:
		dst = netip.AddrFrom16([16]byte(b[24:40]))
	case !dst.Is6() && len(b) >= 20:
		dst = addrFrom(b[16:20])
	}
	if link {
		return s.link.writeBatch(ctx, batch, dst)
	}
	if len(batch) > 1 {
		return c.WriteBatch(ctx, batch, dst)
	}
	if _, err := c.WriteToAddr(ctx, batch[0], dst); err != nil {
		return 0, err
	}
	return 1, nil
}

// pacer spaces packets gap apart, from the first one on.
type pacer struct {
	gap   time.Duration
	start time.Time
	timer *time.Timer
}

// due waits until packet k is due and returns how many packets are due
// by then (k counts the packets sent so far).
func (p *pacer) due(ctx context.Context, k int) (int, error) {
	if p.gap <= 0 {
		return batchSize, nil
	}
	if k == 0 {
		p.start = time.Now()
	}
	for {
		// The (k+1)th packet is due at start + k*gap.
		if n := int(time.Since(p.start)/p.gap) + 1 - k; n > 0 {
			return n, nil
		}
		d := time.Until(p.start.Add(time.Duration(k) * p.gap))
		if p.timer == nil {
			p.timer = time.NewTimer(d)
		} else {
			p.timer.Reset(d)
		}
		select {
		case <-p.timer.C:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (p *pacer) stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
}

func addrFrom(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b)) }
