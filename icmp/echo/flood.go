package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"errors"
	"os"
	"time"
)

// runFlood is a flood run (iputils -f): a target's next request goes out
// as soon as a reply makes room under Preload, or FloodInterval after the
// last one when no reply comes. Sending and receiving share this one
// goroutine, so on loopback, where the reply is queued before the write
// returns, each round trip costs a write and a share of one recvmmsg and
// no goroutine switch.
func (e *Engine) runFlood(ctx context.Context, s *echoSock) error {
	bufs := make([][]byte, min(sendBurst, e.cfg.Preload))
	for i := range bufs {
		bufs[i] = make([]byte, 0, echoHeaderLen+e.size)
	}
	items := make([]sendItem, 0, len(bufs))
	ms := e.newMessages()
	var sevs, revs []Event
	defer s.c.SetReadDeadline(time.Time{}) //nolint:errcheck // best effort
	// The I/O below runs without ctx: a cancellable context costs every
	// call a watcher, and the read deadline (at most FloodInterval away
	// while probes are due) bounds how late ctx is noticed.
	bg := background
	var err error
	var deadline int64 = -1 // the read deadline set on the socket, ns; -1 none
	for ctx.Err() == nil {
		var done bool
		var wake int64
		items, sevs, wake, done = e.floodSend(bg, bufs, items[:0], sevs[:0])
		if done {
			break
		}
		if s.fast != nil {
			// Take what is queued without the poller; wait through it
			// only when nothing is.
			var n int
			if n, err = e.drainFast(s, ms); err != nil {
				break
			}
			if n > 0 {
				revs = e.process(s, ms[:n], revs[:0])
				continue
			}
		}
		wake = minWake(wake, now()+int64(FloodInterval))
		// Moving the deadline costs a timer update: do it when the one
		// set is later than needed or more than a millisecond early.
		if deadline < 0 || deadline > wake || wake-deadline > int64(time.Millisecond) {
			if err = s.c.SetReadDeadline(time.Unix(0, wake)); err != nil {
				break
			}
			deadline = wake
		}
		var n int
		n, err = s.c.ReadBatch(bg, ms)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			err = nil
			continue
		}
		revs = e.process(s, ms[:n], revs[:0])
	}
	e.finish(now())
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// floodSend sends what the flood rules allow now and says when to look
// again and whether the run is over.
func (e *Engine) floodSend(ctx context.Context, bufs [][]byte, items []sendItem, evs []Event) ([]sendItem, []Event, int64, bool) {
	e.hmu.Lock()
	defer e.hmu.Unlock()
	e.mu.Lock()
	t := now()
	evs = e.expire(evs, t)
	wake := int64(-1)
	active := false
	for ti := range e.targets {
		tg := &e.targets[ti]
		if e.sendingDone(tg) {
			continue
		}
		active = true
		room := e.cfg.Preload - tg.stats.Pending()
		if room <= 0 {
			if due := tg.lastSent + int64(FloodInterval); due > t {
				wake = minWake(wake, due)
				continue
			}
			room = 1
		}
		for ; room > 0 && len(items) < len(bufs) && !e.sendingDone(tg); room-- {
			no := e.nextNo
			sl := &e.ring[uint16(no)]
			at := e.bucket.readyAt(t)
			if sl.state == slotPending {
				at = max(at, sl.deadline)
			}
			if at > t {
				wake = minWake(wake, at)
				break
			}
			e.bucket.take(t)
			evs = e.register(evs, ti, no, t)
			items = append(items, sendItem{probe: no, slot: sl, ti: ti})
		}
		if room <= 0 || e.sendingDone(tg) {
			wake = minWake(wake, tg.lastSent+int64(FloodInterval))
		}
	}
	for i, it := range items {
		bufs[i] = e.build(bufs[i], it)
	}
	e.mu.Unlock()
	if len(items) > 0 {
		if errs := e.write(ctx, bufs, items); errs != nil {
			e.mu.Lock()
			evs = e.sendFailed(evs, items, errs)
			e.mu.Unlock()
		}
	}
	e.mu.Lock()
	done := false
	if !active {
		var at int64
		done, at = e.over(now())
		wake = minWake(wake, at)
	}
	if d, ok := e.heap.top(); ok {
		wake = minWake(wake, d.at)
	}
	e.mu.Unlock()
	e.deliver(evs)
	return items, evs, wake, done
}

// drainFast reads what is queued without waiting: up to len(ms), and no
// more than the probes in flight, as iputils stops reading when nothing
// is (a duplicate or a stranger's packet waits for the next round), which
// saves the read that would only say the queue is empty.
func (e *Engine) drainFast(s *echoSock, ms []icmp.Message) (int, error) {
	e.mu.Lock()
	limit := min(len(ms), max(1, e.total.Pending()))
	e.mu.Unlock()
	n := 0
	for n < limit {
		ok, err := s.fast.recv(&ms[n])
		if err != nil || !ok {
			return n, err
		}
		if ms[n].Data != nil {
			n++
		}
	}
	return n, nil
}
