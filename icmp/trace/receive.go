package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"sync"
	"sync/atomic"
)

// receiver reads one socket's answers for Run. When a probe times out,
// an answer the kernel received in time must still count, so the hop is
// reported once no such answer can be on its way: at once when the
// receiver is idle (idle), else after the receiver has caught up (sync):
// handed over what its socket held when asked, and said so.
type receiver struct {
	c   pathConn
	tcp bool
	id  int

	mu     sync.Mutex
	cancel context.CancelFunc // ends the wait in progress
	want   atomic.Int64       // the latest sync asked for
	// busy is set from before each read of the socket until what it
	// read is handed over: a receiver that is not busy holds nothing
	// taken from its socket.
	busy atomic.Bool
	// stopped is set when the receiver no longer reads: syncs then
	// wait for it no more.
	stopped atomic.Bool
}

// idle reports whether rc neither holds an answer nor has one queued:
// its socket is empty, then it is not busy. In that order, an answer
// queued before the look is either still queued (seen) or was read
// before it, and then rc is busy until it has handed it over, before
// the look at busy; an answer handed over is in the run's channel.
func (rc *receiver) idle() bool {
	if rc.stopped.Load() {
		return true
	}
	queued, err := rc.c.Readable()
	return err == nil && !queued && !rc.busy.Load()
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
	ms := make([]icmp.Message, 16)
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
		// The wait's context first, then the sync asked for: a sync
		// asked after this look cancels that context. What is queued
		// when drain runs was received before the sync was asked for.
		rctx = rc.readCtx(ctx, rctx)
		w := rc.want.Load()
		rc.busy.Store(true)
		ok := t.drain(ctx, rc, ms, out)
		rc.busy.Store(false)
		if !ok {
			return
		}
		if w > synced {
			synced = w
			select {
			case out <- runEvent{sync: true, recv: rc.id, gen: w}:
			case <-ctx.Done():
				return
			}
			continue
		}
		if err := rc.c.WaitRead(rctx); err != nil && (ctx.Err() != nil || rctx.Err() == nil) {
			// Cancelled, closed, or broken: the probes still waiting
			// for this socket time out.
			return
		}
	}
}

// drain hands the run what rc's socket holds, without waiting; false
// when the socket failed or ctx is done.
func (t *Path) drain(ctx context.Context, rc *receiver, ms []icmp.Message, out chan<- runEvent) bool {
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
func (t *Path) hand(ctx context.Context, ms []icmp.Message, tcp bool, out chan<- runEvent) bool {
	for _, m := range ms {
		a, ok := t.match(m, tcp)
		if !ok {
			continue
		}
		select {
		case out <- runEvent{a: a}:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// match matches a message read from the ICMP socket (or the TCP one) to
// a probe of this trace.
func (t *Path) match(m icmp.Message, tcp bool) (answer, bool) {
	var a answer
	var ok bool
	if tcp {
		a, ok = t.pr.tcpAnswer(m.Data, m.Src)
	} else {
		a, ok = t.pr.icmpAnswer(m.Data, m.Src)
	}
	a.received = m.Received
	return a, ok
}

// pollAnswers takes, on the run's goroutine, the answers already queued
// on the receivers' sockets, without waiting. Between the writes of a
// batch the run looks for the destination's answer, so as to send
// nothing beyond it; when the receivers cannot run meanwhile (one P, as
// rawkit traceroute runs: GOMAXPROCS 1), only this look finds it. Read
// here, an answer goes straight to the run, so a receiver's sync has
// nothing of it to catch up with. A socket that fails is left to its
// receiver, which stops on the error.
func (r *pathRun) pollAnswers(ev Events) {
	for _, rc := range r.recv {
		if rc.stopped.Load() {
			continue
		}
		if r.ms == nil {
			r.ms = make([]icmp.Message, 8)
			for i := range r.ms {
				r.ms[i].Buf = make([]byte, 2048)
			}
		}
		for {
			n, err := rc.c.TryReadBatch(r.ms)
			if err != nil || n == 0 {
				break
			}
			for _, m := range r.ms[:n] {
				if a, ok := r.t.match(m, rc.tcp); ok {
					r.take(runEvent{a: a}, ev)
				}
			}
		}
	}
}
