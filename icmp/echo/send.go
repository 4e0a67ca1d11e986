package echo

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"time"
)

// schedule walks the targets in rounds: round r gives each target still
// sending its probe r+1. The first Preload rounds go out at once; each later
// round starts Interval after the one before, or when that one finished if
// it took longer (a slow rate never turns into a burst).
type schedule struct {
	round    int
	cursor   int
	roundAt  int64
	preload  int
	finished bool // no target needs more probes; final, as sendingDone never reverts
}

func (s *schedule) start(t int64, preload int) {
	s.roundAt = t
	s.preload = preload
}

// sendItem is one request of a burst, built and registered, not yet written.
type sendItem struct {
	probe uint32
	slot  *slot
	ti    int
}

// sendingDone reports whether target ti needs no more probes.
func (e *Engine) sendingDone(t *target) bool {
	c := e.cfg.Count
	switch {
	case e.cfg.StopOnError && t.stats.Errors > 0:
		return true
	case c == 0:
		return false
	case e.cfg.CountReplies:
		return t.stats.Received+t.stats.Errors >= c
	default:
		return t.stats.Transmitted >= c
	}
}

// nextTarget returns the target due next and when it is due; ok is false
// once no target needs more probes.
func (e *Engine) nextTarget(t int64) (ti int, at int64, ok bool) {
	s := &e.sched
	if s.finished {
		return 0, 0, false
	}
	for scanned := 0; scanned <= len(e.targets); {
		if s.cursor >= len(e.targets) {
			s.cursor = 0
			s.round++
			if s.round >= s.preload {
				s.roundAt = max(s.roundAt+int64(e.cfg.Interval), t)
			}
		}
		tg := &e.targets[s.cursor]
		if !e.sendingDone(tg) {
			return s.cursor, s.roundAt, true
		}
		s.cursor++
		scanned++
	}
	s.finished = true
	return 0, 0, false
}

// collect registers the probes due at t, up to len(bufs), builds them
// into bufs and returns them with the time the sender should next wake
// and whether sending is over.
func (e *Engine) collect(t int64, bufs [][]byte, items []sendItem, evs []Event) ([]sendItem, []Event, int64, bool) {
	wake := int64(-1)
	for len(items) < len(bufs) {
		ti, at, ok := e.nextTarget(t)
		if !ok {
			return items, evs, wake, true
		}
		no := e.nextNo
		sl := &e.ring[uint16(no)]
		if sl.state == slotPending {
			at = max(at, sl.deadline) // the ring is full: wait for the oldest
		}
		at = max(at, e.bucket.readyAt(t))
		if at > t {
			return items, evs, at, false
		}
		e.bucket.take(t)
		evs = e.register(evs, ti, no, t)
		items = append(items, sendItem{probe: no, slot: sl, ti: ti})
		e.sched.cursor++
	}
	return items, evs, t, false
}

// register records probe no to target ti as sent at t.
func (e *Engine) register(evs []Event, ti int, no uint32, t int64) []Event {
	tg := &e.targets[ti]
	sl := &e.ring[uint16(no)]
	unanswered := tg.lastNo != 0 && e.ring[uint16(tg.lastNo)].probe == tg.lastNo &&
		e.ring[uint16(tg.lastNo)].state != slotReplied
	tg.stats.Transmitted++
	e.total.Transmitted++
	*sl = slot{probe: no, target: int32(ti), n: uint32(tg.stats.Transmitted), state: slotPending,
		sent: t, deadline: t + int64(e.cfg.Timeout), hidx: -1}
	e.heap.push(deadlineEntry{at: sl.deadline, probe: no})
	e.nextNo++
	if e.first == 0 {
		e.first = t
	}
	e.last = t
	tg.lastSent, tg.lastNo = t, no
	return e.emit(evs, Event{Kind: EventSent, Target: ti, Dst: tg.addr, Seq: uint16(no),
		Probe: int(sl.n), TTL: -1, Time: time.Unix(0, t), Unanswered: unanswered})
}

// write sends a burst, one write per probe: each probe's send time is
// taken again right before its own write, so that its round trip does
// not include the writes ahead of it (a sendmmsg would stamp them all
// with one time while the kernel sends them one after the other).
func (e *Engine) write(ctx context.Context, bufs [][]byte, items []sendItem) []error {
	var errs []error
	for i, it := range items {
		dst, s := e.targets[it.ti].addr, e.sockOf(it.ti)
		atomic.StoreInt64(&it.slot.sent, now())
		if s.fast != nil {
			sent, err := s.fast.send(bufs[i], dst)
			if sent || err != nil {
				if err != nil {
					if errs == nil {
						errs = make([]error, len(items))
					}
					errs[i] = err
				}
				continue
			}
		}
		if _, err := s.c.WriteTo(ctx, bufs[i], dst); err != nil {
			if errs == nil {
				errs = make([]error, len(items))
			}
			errs[i] = err
		}
	}
	return errs
}

// sendFailed ends the probes whose write failed: iputils counts them as
// sent and lost, and one refused as too long (EMSGSIZE) as an error too:
// the local error it reads from its error queue (ping_common.c).
func (e *Engine) sendFailed(evs []Event, items []sendItem, errs []error) []Event {
	for i, err := range errs {
		if err == nil {
			continue
		}
		it := items[i]
		sl := it.slot
		if sl.probe != it.probe || sl.state != slotPending {
			continue
		}
		sl.state = slotErrored
		e.heap.unschedule(sl)
		tg := &e.targets[it.ti]
		tg.stats.Lost++
		e.total.Lost++
		if errors.Is(err, syscall.EMSGSIZE) {
			tg.stats.LocalErrors++
			e.total.LocalErrors++
			if !e.cfg.UncountedLocalErrors {
				tg.stats.Errors++
				e.total.Errors++
			}
		}
		evs = e.emit(evs, Event{Kind: EventSendError, Target: it.ti, Dst: tg.addr, Seq: uint16(it.probe),
			Probe: int(sl.n), TTL: -1, Time: time.Unix(0, sl.sent), Err: err})
	}
	return evs
}

// lingerWait is how long iputils waits after its last probe.
func (e *Engine) lingerWait() int64 {
	if e.total.Received > 0 {
		return max(2*int64(e.total.Max()), int64(e.cfg.Interval))
	}
	return int64(e.cfg.Timeout)
}

// over decides, once sending is done, whether the run is: nothing
// pending, or the linger time has passed. It returns when to look again.
func (e *Engine) over(t int64) (bool, int64) {
	if e.total.Pending() == 0 {
		return true, 0
	}
	if !e.cfg.Linger {
		return false, -1
	}
	if e.lingerAt == 0 {
		e.lingerAt = e.last + e.lingerWait()
	}
	return t >= e.lingerAt, e.lingerAt
}

// sendLoop is the sender of a paced (non-flood) run. It stops early when
// failed reports the receiver's error.
func (e *Engine) sendLoop(ctx context.Context, failed func() error) error {
	bufs := make([][]byte, sendBurst)
	for i := range bufs {
		bufs[i] = make([]byte, 0, echoHeaderLen+e.size)
	}
	items := make([]sendItem, 0, sendBurst)
	var evs []Event
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.hmu.Lock()
		e.mu.Lock()
		t := now()
		evs = e.expire(evs[:0], t)
		var wake int64
		var finished bool
		items, evs, wake, finished = e.collect(t, bufs, items[:0], evs)
		for i, it := range items {
			bufs[i] = e.build(bufs[i], it)
		}
		e.mu.Unlock()
		// The events of the burst go out before its writes, so that no
		// reply can be reported ahead of its request, and the writes hold
		// no lock: the receiver goes on matching meanwhile.
		e.deliver(evs)
		e.hmu.Unlock()
		if len(items) > 0 {
			if errs := e.write(background, bufs, items); errs != nil {
				e.hmu.Lock()
				e.mu.Lock()
				evs = e.sendFailed(evs[:0], items, errs)
				e.mu.Unlock()
				e.deliver(evs)
				e.hmu.Unlock()
			}
		}
		done := false
		e.mu.Lock()
		if finished {
			var at int64
			done, at = e.over(now())
			wake = minWake(wake, at)
		}
		if d, ok := e.heap.top(); ok {
			wake = minWake(wake, d.at)
		}
		e.mu.Unlock()
		if done {
			return nil
		}
		if len(items) > 0 && !finished {
			continue
		}
		if err := e.sleep(ctx, timer, wake); err != nil {
			return err
		}
		if err := failed(); err != nil {
			return err
		}
	}
}
