package icmp

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
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
	localMTU int  // the kernel's path MTU toward the destination (MTU mode)
	stamps   bool // send has kernel send stamps (SO_TIMESTAMPING) on
}

// pathConn is what the path engine needs of a socket; the Linux one is
// a raw.Conn, tests use an in-memory network.
type pathConn interface {
	// ReadBatch fills ms[i].Data from ms[i].Buf with up to len(ms)
	// messages (the IP payload), blocking until one is there or ctx is
	// done.
	ReadBatch(ctx context.Context, ms []Message) (int, error)
	// TryReadBatch is ReadBatch without waiting: it returns what is
	// already queued, 0 when nothing is.
	TryReadBatch(ms []Message) (int, error)
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
	answers := make(chan runEvent, 256)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	r := t.newRun()
	for _, c := range []pathConn{t.icmpConn, t.tcpConn} {
		if c != nil {
			rc := &receiver{c: c, tcp: c == t.tcpConn, id: len(r.recv)}
			r.recv = append(r.recv, rc)
			r.acked = append(r.acked, 0)
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.receive(ctx, rc, answers)
			}()
		}
	}
	err := r.loop(ctx, answers, ev)
	r.sum.Elapsed = time.Since(start)
	return r.sum, err
}

func (r *pathRun) loop(ctx context.Context, answers <-chan runEvent, ev PathEvents) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		// Take every answer already read before sending more or deciding
		// that a probe timed out: a long send may have kept this loop
		// away from the channel.
		for drained := false; !drained; {
			select {
			case a := <-answers:
				r.take(a, ev)
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
			r.take(a, ev)
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

// runEvent is what the run's receivers send it: an answer to a probe,
// or a receiver's report that it has caught up with its socket (sync).
type runEvent struct {
	sync bool
	a    answer // an answer
	recv int    // sync: the receiver
	gen  int64  // sync: the sync it caught up with
}

// take hands the run what a receiver sent.
func (r *pathRun) take(e runEvent, ev PathEvents) {
	switch {
	case e.sync:
		r.acked[e.recv] = max(r.acked[e.recv], e.gen)
	default:
		if res, ok := r.apply(e.a); ok && ev.Answer != nil {
			ev.Answer(res)
		}
	}
}

// receiver reads one socket's answers for Run. When a probe times out,
// the run asks every receiver to catch up (sync): to hand over what its
// socket holds at that moment and say so, so that an answer the kernel
// received in time counts, and the hop is reported as soon as that is
// known rather than after a fixed grace.
type receiver struct {
	c   pathConn
	tcp bool
	id  int

	mu     sync.Mutex
	cancel context.CancelFunc // ends the read in progress
	want   atomic.Int64       // the latest sync asked for
	// stopped is set when the receiver no longer reads: syncs then
	// wait for it no more.
	stopped atomic.Bool
}

// sync asks the receiver to catch up and report gen.
func (rc *receiver) sync(gen int64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.want.Store(gen)
	if rc.cancel != nil {
		rc.cancel()
	}
}

// readCtx returns the context of the next blocking read: a fresh one
// when a sync ended the last.
func (rc *receiver) readCtx(ctx, cur context.Context) context.Context {
	if cur != nil && cur.Err() == nil {
		return cur
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rctx, cancel := context.WithCancel(ctx)
	rc.cancel = cancel
	return rctx
}

// receive reads answers from rc's socket until ctx is done, and hands
// those that match a probe of this trace to the run.
func (t *Path) receive(ctx context.Context, rc *receiver, out chan<- runEvent) {
	ms := make([]Message, 16)
	for i := range ms {
		ms[i].Buf = make([]byte, 2048)
	}
	var rctx context.Context
	defer func() {
		rc.stopped.Store(true)
		rc.mu.Lock()
		if rc.cancel != nil {
			rc.cancel()
		}
		rc.mu.Unlock()
	}()
	var synced int64
	for {
		// The read's context first, then the sync asked for: a sync
		// asked after this look cancels that context.
		rctx = rc.readCtx(ctx, rctx)
		if w := rc.want.Load(); w > synced {
			// Everything queued now was received before the sync was
			// asked for: read it without waiting, then report.
			if !t.drain(ctx, rc, ms, out) {
				return
			}
			synced = w
			select {
			case out <- runEvent{sync: true, recv: rc.id, gen: w}:
			case <-ctx.Done():
				return
			}
			continue
		}
		n, err := rc.c.ReadBatch(rctx, ms)
		if err != nil {
			if ctx.Err() != nil || rctx.Err() == nil {
				// Cancelled, closed, or broken: the probes still
				// waiting for this socket time out.
				return
			}
			continue // a sync ended the read
		}
		if !t.hand(ctx, ms[:n], rc.tcp, out) {
			return
		}
	}
}

// drain hands the run what rc's socket holds, without waiting; false
// when the socket failed or ctx is done.
func (t *Path) drain(ctx context.Context, rc *receiver, ms []Message, out chan<- runEvent) bool {
	for {
		n, err := rc.c.TryReadBatch(ms)
		if err != nil {
			return false
		}
		if n == 0 {
			return true
		}
		if !t.hand(ctx, ms[:n], rc.tcp, out) {
			return false
		}
	}
}

// hand matches messages to probes and sends the run the answers; false
// when ctx is done.
func (t *Path) hand(ctx context.Context, ms []Message, tcp bool, out chan<- runEvent) bool {
	for _, m := range ms {
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
		case out <- runEvent{a: a}:
		case <-ctx.Done():
			return false
		}
	}
	return true
}
