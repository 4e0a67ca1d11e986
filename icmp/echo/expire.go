package echo

import "time"

// finish ends every probe still out: the run is over.
func (e *Engine) finish(at int64) {
	e.hmu.Lock()
	defer e.hmu.Unlock()
	e.mu.Lock()
	var evs []Event
	for e.heap.len() > 0 {
		evs = e.expireOne(evs, e.heap.pop(), at)
	}
	e.mu.Unlock()
	e.deliver(evs)
}

// expireOne counts a probe lost if its slot still waits for it.
func (e *Engine) expireOne(evs []Event, d deadlineEntry, at int64) []Event {
	s := &e.ring[uint16(d.probe)]
	if s.probe != d.probe || s.state != slotPending {
		return evs
	}
	s.state = slotLost
	t := &e.targets[s.target]
	t.stats.Lost++
	e.total.Lost++
	return e.emit(evs, Event{Kind: EventLost, Target: int(s.target), Dst: t.addr, Seq: uint16(s.probe),
		Probe: int(s.n), TTL: -1, Time: time.Unix(0, min(at, d.at))})
}

// expire ends the probes whose deadline is at or before at.
func (e *Engine) expire(evs []Event, at int64) []Event {
	for {
		d, ok := e.heap.top()
		if !ok || d.at > at {
			return evs
		}
		evs = e.expireOne(evs, e.heap.pop(), at)
	}
}
