package trace

import (
	"context"
	"fmt"
	"time"

	"github.com/rawkit/rawkit/internal/sched"
)

// mslot is one probe identity of a flow: the probe last sent with it.
type mslot struct {
	busy        bool // in flight
	round       int64
	ttl         int
	sent, stamp time.Time
	deadline    time.Time
	timeout     sched.Handle // its entry in the run's deadlines
	key         int          // the send's stamp key; -1 without one
}

// mround is a round not completed yet.
type mround struct {
	n       int64
	probes  []probeRef // every probe of the round, sent or to send
	pending int        // probes of the round not settled
}

type probeRef struct {
	flow, idx int // idx -1: not sent yet
	ttl       int
}

// monitorRun is one Run's state; only Run's goroutine touches it
// (the statistics under m.mu).
type monitorRun struct {
	m      *Monitor
	slots  [][]mslot // per flow
	next   []int     // per flow: next identity
	rounds []*mround // open rounds, oldest first
	queue  []*mround // rounds with probes still to send
	sent   int64     // rounds started
	clock  sched.Clock
	// periodic starts the rounds, one job at the start's phase: every
	// Interval from the start, never drifting, and after a stall one round, not
	// a burst of the missed ones. deadlines holds the probes in flight.
	periodic  sched.Periodic[int]
	deadlines sched.Deadlines[slotRef]
	jobs      []sched.Job[int]
	paused    bool
	buf       []byte
	keys      []stampRef // stamp key → probe, a ring
	keyCount  int
	stampBuf  [32]sendStamp
}

type slotRef struct{ flow, idx int }

type stampRef struct {
	flow, idx int
	key       int
}

func newMonitorRun(m *Monitor) *monitorRun {
	r := &monitorRun{m: m, slots: make([][]mslot, len(m.probers)), next: make([]int, len(m.probers)), clock: m.s.Clock}
	if r.clock == nil {
		r.clock = sched.Real()
	}
	for f := range r.slots {
		r.slots[f] = make([]mslot, m.ring)
	}
	if m.path.stamps {
		r.keys = make([]stampRef, 4096)
	}
	return r
}

// monitorAnswer is a matched answer: flow and identity, and its fields.
type monitorAnswer struct {
	flow int
	a    answer
	nat  bool
}

func (r *monitorRun) loop(ctx context.Context, answers <-chan monitorAnswer) error {
	timer := r.clock.NewTimer(time.Hour)
	defer timer.Stop()
	now := r.clock.Now()
	// The rounds' phase in Unix time is the start's: the first round
	// goes at once, the others every Interval after it.
	iv := int64(r.m.s.Interval)
	r.periodic.Hash = func(int) uint64 { return uint64(now.UnixNano() % iv) }
	r.periodic.Add(0, r.m.s.Interval, now)
	r.m.mu.Lock()
	r.m.stats.started = now
	r.m.mu.Unlock()
	for {
		r.takeQueued(answers)
		r.control()
		if err := r.sendDue(ctx, r.clock.Now(), answers); err != nil {
			return err
		}
		r.readStamps()
		r.expire(r.clock.Now())
		r.complete(r.clock.Now())
		if c := r.m.s.Count; c > 0 && r.sent >= int64(c) && len(r.rounds) == 0 {
			return nil
		}
		wait := r.wake().Sub(r.clock.Now())
		if wait <= 0 {
			continue
		}
		timer.Reset(wait)
		select {
		case a := <-answers:
			r.take(a)
		case p := <-r.m.pause:
			r.setPaused(p)
		case <-r.m.reset:
			r.m.mu.Lock()
			r.m.stats.Reset(r.clock.Now())
			r.m.mu.Unlock()
		case <-timer.C():
		case <-ctx.Done():
			return ctx.Err()
		}
		timer.Stop()
	}
}

// control takes a pause or reset asked for without waiting.
func (r *monitorRun) control() {
	select {
	case p := <-r.m.pause:
		r.setPaused(p)
	default:
	}
}

func (r *monitorRun) setPaused(p bool) {
	r.paused = p
	r.m.mu.Lock()
	r.m.stats.SetPaused(p)
	r.m.mu.Unlock()
}

// wake is when the loop has something to do: the next round, the next
// paced probe, or the earliest deadline.
func (r *monitorRun) wake() time.Time {
	at := r.clock.Now().Add(time.Hour)
	if next, ok := r.periodic.Next(); ok {
		at = next
	}
	if len(r.queue) > 0 {
		at = r.clock.Now()
		if l := r.m.s.Limiter; l != nil {
			at = l.peek()
		}
	}
	if d, _, ok := r.deadlines.Peek(); ok && d.Before(at) {
		at = d
	}
	return at
}

// sendDue starts a round when one is due, then sends the queued probes
// the limiter allows now. Between writes it takes the answers already
// read: once the destination has answered, the probes beyond it are not
// sent (as the path engine does), sparing its ICMP error budget.
func (r *monitorRun) sendDue(ctx context.Context, now time.Time, answers <-chan monitorAnswer) error {
	s := &r.m.s
	r.jobs = r.periodic.DueJobs(now, r.jobs[:0])
	if len(r.jobs) > 0 && !r.paused {
		r.startRound()
		if s.Count > 0 && r.sent >= int64(s.Count) {
			r.periodic.Remove(0)
		}
	}
	for len(r.queue) > 0 {
		rd := r.queue[0]
		k := -1
		for i := range rd.probes {
			if rd.probes[i].idx == -1 {
				k = i
				break
			}
		}
		if k < 0 {
			r.queue = r.queue[1:]
			continue
		}
		if l := s.Limiter; l != nil {
			if _, ok := l.take(r.clock.Now()); !ok {
				return nil
			}
		}
		if err := r.send(ctx, rd, k); err != nil {
			return err
		}
		r.takeQueued(answers)
	}
	return nil
}

// startRound queues the probes of a new round: every TTL up to where
// the path ends, every flow.
func (r *monitorRun) startRound() {
	r.sent++
	rd := &mround{n: r.sent}
	r.m.mu.Lock()
	stop := r.m.stats.Stop()
	r.m.mu.Unlock()
	for ttl := r.m.s.FirstTTL; ttl <= stop; ttl++ {
		for f := range r.m.probers {
			rd.probes = append(rd.probes, probeRef{flow: f, idx: -1, ttl: ttl})
		}
	}
	rd.pending = len(rd.probes)
	r.rounds = append(r.rounds, rd)
	r.queue = append(r.queue, rd)
}

// send sends probe k of round rd.
func (r *monitorRun) send(ctx context.Context, rd *mround, k int) error {
	p := &rd.probes[k]
	r.m.mu.Lock()
	stop := r.m.stats.Stop()
	r.m.mu.Unlock()
	if p.ttl > stop {
		// The destination answered nearer meanwhile: not sent.
		p.idx = -2
		rd.pending--
		return nil
	}
	f := p.flow
	idx := r.next[f]
	r.next[f] = (idx + 1) % r.m.ring
	sl := &r.slots[f][idx]
	if sl.busy {
		r.lose(f, idx) // its identity comes round again: give it up
	}
	pr := &r.m.probers[f]
	now := r.clock.Now()
	*sl = mslot{busy: true, round: rd.n, ttl: p.ttl, sent: now, deadline: now.Add(r.m.s.Wait), key: -1}
	sl.timeout = r.deadlines.Push(sl.deadline, slotRef{f, idx})
	p.idx = idx
	r.m.mu.Lock()
	r.m.stats.Sent(p.ttl)
	r.m.mu.Unlock()
	var err error
	switch {
	case r.m.pings != nil:
		r.buf, err = r.m.sendPing(ctx, r.buf, f, idx, p.ttl)
	case r.m.udps != nil:
		r.buf, err = r.m.sendUDP(r.buf, f, idx, p.ttl)
	default:
		r.buf = pr.build(r.buf, idx, p.ttl, r.m.s.Length)
		_, err = r.m.path.send.WriteBatch(ctx, [][]byte{r.buf}, pr.dst)
	}
	if err != nil {
		err = fmt.Errorf("icmp: send probe to %v: %w", pr.dst, err)
		if r.m.s.SendError == nil {
			return err
		}
		// It never left: out of flight, out of the statistics.
		r.settle(sl, rd)
		r.m.mu.Lock()
		r.m.stats.Forget(p.ttl)
		r.m.mu.Unlock()
		r.m.s.SendError(MonitorProbe{Round: rd.n, Flow: f, TTL: p.ttl, Sent: now, Type: -1, Code: -1, QuotedTOS: -1}, err)
		return nil
	}
	if r.m.s.ProbeSent != nil {
		r.m.s.ProbeSent(MonitorProbe{Round: rd.n, Flow: f, TTL: p.ttl, Sent: now, Type: -1, Code: -1, QuotedTOS: -1})
	}
	if r.keys != nil {
		sl.key = r.keyCount
		r.keys[r.keyCount%len(r.keys)] = stampRef{flow: f, idx: idx, key: r.keyCount}
		r.keyCount++
		if r.keyCount%len(r.stampBuf) == 0 {
			r.readStamps()
		}
	}
	return nil
}

// takeQueued takes every answer already read.
func (r *monitorRun) takeQueued(answers <-chan monitorAnswer) {
	for {
		select {
		case a := <-answers:
			r.take(a)
		default:
			return
		}
	}
}

// find returns the open round n.
func (r *monitorRun) find(n int64) *mround {
	for _, rd := range r.rounds {
		if rd.n == n {
			return rd
		}
	}
	return nil
}
