package trace

import "time"

// expireGrace bounds how long a hop with a timed-out probe waits for
// the receivers to catch up with their sockets, so that an answer the
// kernel received before the probe's deadline, but this process had not
// read yet (a busy machine), still counts: the kernel's receive
// timestamp decides, as it would for traceroute's poll loop. The
// receivers normally report within a fraction of a millisecond, and a
// receiver that has stopped reading says so (receiver.stopped), so the
// bound serves only a receiver kept from running or kept draining a
// socket that never empties. It is well above what a loaded machine's
// scheduler keeps a runnable thread waiting (CFS's latency period grows
// with the runnable tasks, to tens of milliseconds): at 10 ms, answers
// read in time were dropped on a machine with twice as many busy
// threads as cores.
const expireGrace = 100 * time.Millisecond

// expire gives up on the probes whose wait has passed, and asks the
// receivers that are not idle to catch up, so that their hops are
// reported as soon as no answer received in time can still be on its
// way.
func (r *pathRun) expire(now time.Time) {
	expired := false
	for i := range r.probes {
		p := &r.probes[i]
		if p.state != probeInFlight || p.ttl > r.stopTTL {
			continue
		}
		if d := p.sent.Add(r.timeout(i)); !now.Before(d) {
			p.state, p.deadline, p.expired, p.sync = probeDone, d, now, r.syncGen+1
			p.res = ProbeResult{TTL: p.ttl, Query: p.q, Size: p.size, MTU: p.markMTU,
				Type: -1, Code: -1, QuotedTTL: -1, QuotedTOS: -1}
			r.inflight--
			expired = true
		}
	}
	if !expired {
		return
	}
	r.syncGen++
	for k, rc := range r.recv {
		// An idle receiver has nothing to catch up with: waking it
		// to say so took a few scheduler hand-offs, half a
		// millisecond in a VM, before each silent hop was reported.
		if rc.idle() {
			r.acked[k] = r.syncGen
		} else {
			rc.sync(r.syncGen)
		}
	}
}

// held reports whether a timed-out probe's hop must wait: an answer the
// kernel received in time may still be on its way to the run.
func (r *pathRun) held(p *probe, now time.Time) bool {
	return !p.res.Answered && !r.synced(p.sync) && now.Sub(p.expired) < expireGrace
}

// nextDue is the earliest time a probe of interest times out, or a hop
// held by expireGrace may be reported.
func (r *pathRun) nextDue() (time.Time, bool) {
	var due time.Time
	for i := range r.probes {
		p := &r.probes[i]
		if p.ttl > r.stopTTL || p.ttl <= r.emitted {
			continue
		}
		var d time.Time
		switch {
		case p.state == probeInFlight:
			d = p.sent.Add(r.timeout(i))
		case p.state == probeDone && r.held(p, time.Now()):
			d = p.expired.Add(expireGrace)
		default:
			continue
		}
		if due.IsZero() || d.Before(due) {
			due = d
		}
	}
	return due, !due.IsZero()
}

// waitPrecision is added to a round trip before scaling it, as
// traceroute does, so that a near-zero round trip does not make a zero
// wait.
const waitPrecision = time.Millisecond

// timeout is how long probe i is waited for, traceroute's rule (-w
// MAX,HERE,NEAR): HERE times the round trip of an answered probe of the
// same hop, else NEAR times that of an answered later probe, else MAX.
func (r *pathRun) timeout(i int) time.Duration {
	s := &r.t.s
	scaled := func(rtt time.Duration, f float64) time.Duration {
		return min(time.Duration(float64(rtt+waitPrecision)*f), s.Wait)
	}
	p := &r.probes[i]
	if s.HereFactor > 0 {
		first := i - p.q
		for j := first; j < first+s.Queries; j++ {
			if q := &r.probes[j]; q.state == probeDone && q.res.Answered {
				return scaled(q.res.RTT, s.HereFactor)
			}
		}
	}
	if s.NearFactor > 0 {
		for j := i + 1; j < len(r.probes) && r.probes[j].state != probePending; j++ {
			if q := &r.probes[j]; q.state == probeDone && q.res.Answered {
				return scaled(q.res.RTT, s.NearFactor)
			}
		}
	}
	return s.Wait
}
