package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	"github.com/rawkit/rawkit/internal/hrtimer"
)

// Path traces the route to one destination: the path engine behind
// `rawkit traceroute`. New opens its sockets; Run sends the probes of
// every TTL together (bounded by Config.Simultaneous), matches each
// ICMP time exceeded or destination unreachable to its probe through the
// datagram it quotes (icmp.ParseError, icmp.Quote), and reports hops in order. A
// Path runs once; Close releases its sockets.
type Path struct {
	s        pathSettings
	pr       prober
	send     pathConn // header-included raw socket: probes are whole IPv4 packets
	icmpConn pathConn // ICMP answers: errors and echo replies
	tcpConn  pathConn // TCP answers (MethodTCP only)
	closers  []interface{ Close() error }
	// localMTU is the MTU of the interface toward the destination:
	// MTU mode starts there, and with DF larger probes are refused.
	// pathMTU is the route's (IP_MTU), at most that: larger probes
	// without DF are fragmented to it. Both are 0 when no probe can
	// exceed the family's smallest MTU and they were not looked up
	// (routeMTU); a pathMTU of 0 means localMTU.
	localMTU int
	pathMTU  int
	stamps   bool // send has kernel send stamps (SO_TIMESTAMPING) on
}

// pathConn is what the path engine needs of a socket; the Linux one is
// a raw.Conn, tests use an in-memory network.
type pathConn interface {
	// TryReadBatch fills ms[i].Data from ms[i].Buf with up to len(ms)
	// messages already queued (the IP payload), without waiting; 0 when
	// nothing is.
	TryReadBatch(ms []icmp.Message) (int, error)
	// WaitRead blocks until a message is queued or ctx is done, and
	// reads nothing (raw.Conn.WaitRead).
	WaitRead(ctx context.Context) error
	// Readable reports whether a message is queued now.
	Readable() (bool, error)
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

// Events receives a run's progress. Either func may be nil; both are
// called from Run's goroutine and should not block for long.
type Events struct {
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
func (t *Path) Run(ctx context.Context, ev Events) (Summary, error) {
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

// timerGrain is how late a Go timer may wake: the runtime sleeps with a
// timeout in whole milliseconds (package hrtimer), and the kernel may end
// that sleep later by the thread's timer slack (prctl(2)
// PR_SET_TIMERSLACK: 50 µs by default, 500 µs in rawkit traceroute).
const timerGrain = 1500 * time.Microsecond

func (r *pathRun) loop(ctx context.Context, answers <-chan runEvent, ev Events) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	// A probe's wait ends on the fine timer, so that it gives up when
	// due, not a millisecond later; a run gives up on each silent probe.
	// Outside Linux there is none, and Go's timers do it all.
	fine, err := hrtimer.New()
	if err == nil {
		defer fine.Close()
	}
	for {
		// Take every answer already read before sending more or deciding
		// that a probe timed out: a long send may have kept this loop
		// away from the channel.
		r.takeQueued(answers, ev)
		if err := r.sendMore(ctx, answers, ev); err != nil {
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
		if fine != nil {
			if wait <= timerGrain {
				// Answers that come meanwhile wait in the channel,
				// with the kernel's arrival times; ctx waits at most
				// timerGrain.
				if fine.Sleep(wait) != nil {
					fine = nil // Go's timers from now on
				}
				continue
			}
			wait -= timerGrain // and the rest on the fine timer
		}
		timer.Reset(wait)
		select {
		case a := <-answers:
			r.take(a, ev)
		case <-timer.C:
			// Due, or within timerGrain of it: the next turn expires
			// what is due or sleeps the rest.
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

// takeQueued takes every event the receivers have already sent.
func (r *pathRun) takeQueued(answers <-chan runEvent, ev Events) {
	for {
		select {
		case a := <-answers:
			r.take(a, ev)
		default:
			return
		}
	}
}

// take hands the run what a receiver sent.
func (r *pathRun) take(e runEvent, ev Events) {
	switch {
	case e.sync:
		r.acked[e.recv] = max(r.acked[e.recv], e.gen)
	default:
		if res, ok := r.apply(e.a); ok && ev.Answer != nil {
			ev.Answer(res)
		}
	}
}
