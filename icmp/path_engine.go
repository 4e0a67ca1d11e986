package icmp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Path traces the route to one destination: the path engine behind
// `rawkit traceroute`. NewPath opens its sockets; Run sends the probes of
// every TTL together (bounded by PathConfig.Simultaneous), matches each
// ICMP time exceeded or destination unreachable to its probe through the
// datagram it quotes (ParseError, Quote), and reports hops in order. A
// Path runs once; Close releases its sockets.
type Path struct {
	s        pathSettings
	pr       prober
	send     pathConn // header-included raw socket: probes are whole IPv4 packets
	icmpConn pathConn // ICMP answers: errors and echo replies
	tcpConn  pathConn // TCP answers (MethodTCP only)
	closers  []interface{ Close() error }
	localMTU int // the kernel's path MTU toward the destination (MTU mode)
}

// pathConn is what the path engine needs of a socket; the Linux one is
// a raw.Conn, tests use an in-memory network.
type pathConn interface {
	// ReadBatch fills ms[i].Data from ms[i].Buf with up to len(ms)
	// messages (the IP payload), blocking until one is there or ctx is
	// done.
	ReadBatch(ctx context.Context, ms []Message) (int, error)
	// WriteBatch sends whole IPv4 packets to dst.
	WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error)
	Close() error
}

// Destination is the traced address.
func (t *Path) Destination() netip.Addr { return t.pr.dst }

// Source is the address the probes come from.
func (t *Path) Source() netip.Addr { return t.pr.src }

// PacketLen is the probes' IP total length: in MTU mode the size the
// first probe starts from.
func (t *Path) PacketLen() int {
	if t.s.MTU && t.localMTU > 0 {
		return t.localMTU
	}
	return t.s.Length
}

// Close releases the trace's sockets.
func (t *Path) Close() error {
	var errs []error
	for _, c := range []pathConn{t.send, t.icmpConn, t.tcpConn} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	for _, c := range t.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

type probeState int

const (
	probePending probeState = iota
	probeInFlight
	probeDone
)

type probe struct {
	ttl, q  int
	state   probeState
	sent    time.Time
	size    int
	markMTU int
	res     ProbeResult
	// When a probe times out: the end of its wait, and when the run
	// noticed (its hop is reported expireGrace later).
	deadline, expired time.Time
}

// expireGrace is how long a hop with a timed-out probe waits before it
// is reported, so that an answer the kernel received before the probe's
// deadline, but this process read later (a busy machine), still counts:
// the kernel's receive timestamp decides, as it would for traceroute's
// poll loop.
const expireGrace = 10 * time.Millisecond

// pathRun is one Run's state; only Run's goroutine touches it.
type pathRun struct {
	t        *Path
	probes   []probe
	next     int   // next probe never sent
	resend   []int // probes to send again, smaller (MTU mode)
	inflight int
	stopTTL  int // the last TTL to report: max TTL, or the first final answer's
	emitted  int // the last TTL reported
	size     int // current probe size
	told     int // size last reported with MTU
	bufs     [][]byte
	sum      PathSummary
}

// PathEvents receives a run's progress. Either func may be nil; both are
// called from Run's goroutine and should not block for long.
type PathEvents struct {
	// Answer is called for each answered probe as it is answered, for
	// work that should start early, such as reverse DNS.
	Answer func(ProbeResult)
	// Hop is called for each TTL in order as soon as all its probes are
	// answered or timed out.
	Hop func(Hop)
}

// Run traces the path, reporting each hop in order as soon as all its
// probes are answered or timed out. It stops after the hop where the
// destination (or a router's destination unreachable) answered, or after
// the maximum TTL, and never reports a hop beyond. It returns early with
// ctx's error when ctx is done.
func (t *Path) Run(ctx context.Context, ev PathEvents) (PathSummary, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	answers := make(chan answer, 256)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, c := range []pathConn{t.icmpConn, t.tcpConn} {
		if c != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.receive(ctx, c, c == t.tcpConn, answers)
			}()
		}
	}
	r := t.newRun()
	err := r.loop(ctx, answers, ev)
	r.sum.Elapsed = time.Since(start)
	return r.sum, err
}

func (t *Path) newRun() *pathRun {
	s := &t.s
	n := (s.MaxTTL - s.FirstTTL + 1) * s.Queries
	r := &pathRun{t: t, probes: make([]probe, n), stopTTL: s.MaxTTL, emitted: s.FirstTTL - 1, size: s.Length}
	if s.MTU && t.localMTU > 0 {
		r.size = t.localMTU
	}
	for i := range r.probes {
		r.probes[i].ttl, r.probes[i].q = s.FirstTTL+i/s.Queries, i%s.Queries
	}
	r.sum = PathSummary{Destination: t.pr.dst, Source: t.pr.src}
	return r
}

func (r *pathRun) loop(ctx context.Context, answers <-chan answer, ev PathEvents) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		// Take every answer already read before sending more or deciding
		// that a probe timed out: a long send may have kept this loop
		// away from the channel.
		for drained := false; !drained; {
			select {
			case a := <-answers:
				if res, ok := r.apply(a); ok && ev.Answer != nil {
					ev.Answer(res)
				}
			default:
				drained = true
			}
		}
		if err := r.sendMore(ctx); err != nil {
			return err
		}
		r.emit(ev.Hop, time.Now())
		if r.emitted >= r.stopTTL {
			return nil
		}
		wait := time.Hour
		if due, ok := r.nextDue(); ok {
			wait = time.Until(due)
		}
		if wait <= 0 {
			r.expire(time.Now())
			continue
		}
		timer.Reset(wait)
		select {
		case a := <-answers:
			if res, ok := r.apply(a); ok && ev.Answer != nil {
				ev.Answer(res)
			}
		case now := <-timer.C:
			r.expire(now)
		case <-ctx.Done():
			return ctx.Err()
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// sendMore sends what the bound on probes in flight allows: probes to
// resend first, then new ones up to the last TTL still of interest.
func (r *pathRun) sendMore(ctx context.Context) error {
	sim := r.t.s.Simultaneous
	var batch []int
	for sim == 0 || r.inflight+len(batch) < sim {
		if len(r.resend) > 0 {
			batch = append(batch, r.resend[0])
			r.resend = r.resend[1:]
			continue
		}
		if r.next >= len(r.probes) || r.probes[r.next].ttl > r.stopTTL {
			break
		}
		batch = append(batch, r.next)
		r.next++
	}
	if len(batch) == 0 {
		return nil
	}
	for len(r.bufs) < len(batch) {
		r.bufs = append(r.bufs, nil)
	}
	pkts := r.bufs[:len(batch)]
	for k, i := range batch {
		p := &r.probes[i]
		p.size = r.size
		if r.t.s.MTU && r.told != r.size {
			p.markMTU, r.told = r.size, r.size
		}
		pkts[k] = r.t.pr.build(pkts[k], i, p.ttl, p.size)
	}
	// One write per probe, each stamped just before it goes: on veth
	// the kernel forwards within the sending call, so a probe's send
	// time must not be taken before its batch-mates were sent.
	for k, i := range batch {
		p := &r.probes[i]
		p.sent, p.state = time.Now(), probeInFlight
		r.inflight++
		n, err := r.t.send.WriteBatch(ctx, pkts[k:k+1], r.t.pr.dst)
		r.sum.Sent += n
		if err != nil {
			return fmt.Errorf("icmp: send probe to %v: %w", r.t.pr.dst, err)
		}
	}
	return nil
}

// apply records an answer to a probe in flight; answers to other probes
// (late, duplicated, beyond the destination) are dropped.
func (r *pathRun) apply(a answer) (ProbeResult, bool) {
	if a.idx < 0 || a.idx >= len(r.probes) {
		return ProbeResult{}, false
	}
	p := &r.probes[a.idx]
	switch {
	case p.state == probeInFlight:
		r.inflight--
	case p.state == probeDone && !p.res.Answered && p.ttl > r.emitted &&
		!a.received.IsZero() && !a.received.After(p.deadline):
		// Timed out while the answer, which the kernel had in time,
		// was still on its way to this loop; its hop is not reported
		// yet: take it.
	default:
		return ProbeResult{}, false
	}
	if r.t.s.MTU && a.res.Type == TypeDestUnreach && a.res.Code == 4 &&
		a.res.NextMTU >= 68 && a.res.NextMTU < p.size {
		// Fragmentation needed (RFC 1191): send it again, smaller.
		r.size = min(r.size, a.res.NextMTU)
		p.state = probePending
		r.resend = append(r.resend, a.idx)
		return ProbeResult{}, false
	}
	res := a.res
	res.TTL, res.Query, res.Size, res.Answered = p.ttl, p.q, p.size, true
	recv := a.received
	if recv.IsZero() {
		recv = time.Now()
	}
	res.RTT = max(recv.Sub(p.sent), 0)
	res.MTU = p.markMTU
	p.res, p.state = res, probeDone
	r.sum.Answered++
	if res.Final && p.ttl < r.stopTTL {
		r.stopTTL = p.ttl
	}
	return res, true
}

// expire gives up on the probes whose wait has passed.
func (r *pathRun) expire(now time.Time) {
	for i := range r.probes {
		p := &r.probes[i]
		if p.state != probeInFlight || p.ttl > r.stopTTL {
			continue
		}
		if d := p.sent.Add(r.timeout(i)); !now.Before(d) {
			p.state, p.deadline, p.expired = probeDone, d, now
			p.res = ProbeResult{TTL: p.ttl, Query: p.q, Size: p.size, MTU: p.markMTU,
				Type: -1, Code: -1, QuotedTTL: -1, QuotedTOS: -1}
			r.inflight--
		}
	}
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
		case p.state == probeDone && !p.res.Answered && time.Since(p.expired) < expireGrace:
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

// emit reports every finished hop that follows the last one reported.
func (r *pathRun) emit(hop func(Hop), now time.Time) {
	q := r.t.s.Queries
	for r.emitted < r.stopTTL {
		ttl := r.emitted + 1
		first := (ttl - r.t.s.FirstTTL) * q
		h := Hop{TTL: ttl, Probes: make([]ProbeResult, q)}
		for k := range q {
			p := &r.probes[first+k]
			if p.state != probeDone || (!p.res.Answered && now.Sub(p.expired) < expireGrace) {
				return
			}
			h.Probes[k] = p.res
			if p.res.Reached {
				r.sum.Reached = true
			}
		}
		r.emitted = ttl
		r.sum.Hops++
		if hop != nil {
			hop(h)
		}
	}
}

// receive reads answers from c until ctx is done, and hands those that
// match a probe of this trace to the run.
func (t *Path) receive(ctx context.Context, c pathConn, tcp bool, out chan<- answer) {
	ms := make([]Message, 16)
	for i := range ms {
		ms[i].Buf = make([]byte, 2048)
	}
	for {
		n, err := c.ReadBatch(ctx, ms)
		if err != nil {
			// Cancelled, closed, or broken: the probes still waiting
			// for this socket time out.
			return
		}
		for _, m := range ms[:n] {
			var a answer
			var ok bool
			if tcp {
				a, ok = t.pr.tcpAnswer(m.Data, m.Src)
			} else {
				a, ok = t.pr.icmpAnswer(m.Data, m.Src)
			}
			if !ok {
				continue
			}
			a.received = m.Received
			select {
			case out <- a:
			case <-ctx.Done():
				return
			}
		}
	}
}
