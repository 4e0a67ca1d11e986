// Package icmptest provides an in-memory ICMP socket for the tests of the
// echo and path engines and of the commands built on them, as
// net/http/httptest does for HTTP: a [Conn] hands what is written to a
// [Script], which says which messages come back and after how long, and
// queues them for reading as a socket's receive queue holds them. It
// also builds the packets such tests send back: echo replies
// ([EchoReply]) and ICMP errors quoting a request ([ErrorFor], [Error6]).
//
// A Conn serves both engines' socket interfaces: the echo engine's
// (echo.Conn: ReadBatch, WriteTo, SetReadDeadline) and the path
// engine's (TryReadBatch, WaitRead, Readable, WriteBatch). Its delays
// are timers, so inside a testing/synctest bubble they run on the fake
// clock.
package icmptest

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/icmp"
)

// Script decides what comes back for the message b written to dst. It
// is called with the Conn's lock held, one write at a time; it may
// Deliver to other Conns but not to its own.
type Script func(b []byte, dst netip.Addr) []Delivery

// Delivery is one message a Script sends back, After the write. Its
// Received time is when it was due: the write's time plus After.
type Delivery struct {
	After time.Duration
	Msg   icmp.Message
}

// Packet is a message written to a Conn.
type Packet struct {
	Data []byte
	Dst  netip.Addr
	At   time.Time // when it was written
}

// Config holds a Conn's options; nil means none.
type Config struct {
	// MTU, when set, is the path MTU: WriteTo refuses a longer packet
	// (IP header included) with an *icmp.MessageTooLongError wrapping
	// EMSGSIZE, as the kernel does with IP_PMTUDISC_DO (ip(7)), and
	// nothing is sent.
	MTU int
	// Unrecorded keeps Sent empty, for runs of millions of writes whose
	// copies would fill memory.
	Unrecorded bool
}

// Conn is an in-memory ICMP socket. It is safe for concurrent use.
type Conn struct {
	script Script
	mtu    int
	norec  bool
	closed chan struct{}
	moved  chan struct{} // the read deadline changed
	ready  chan struct{} // holds a token after each push

	mu       sync.Mutex
	q        []icmp.Message
	deadline time.Time
	sent     []Packet
	// due holds the scripted answers not yet delivered, by due time
	// (equal times in the order written). Each timer delivers every
	// answer due by then, in that order, under dmu: timers that fire
	// together after a stall would otherwise run in any order and
	// reorder answers that were due apart.
	due []scheduled
	dmu sync.Mutex
}

type scheduled struct {
	at  time.Time
	msg icmp.Message
}

// NewConn returns a Conn whose writes go to script; a nil script
// answers nothing.
func NewConn(script Script, cfg *Config) *Conn {
	c := &Conn{script: script, closed: make(chan struct{}), moved: make(chan struct{}, 1),
		ready: make(chan struct{}, 1)}
	if cfg != nil {
		c.mtu, c.norec = cfg.MTU, cfg.Unrecorded
	}
	return c
}

// Deliver queues m for reading now. A message queued with no Received
// time gets the time it is read, as if the kernel stamped it then. A
// send stamp (m.Stamp) is delivered as any message: a test's Conn that
// sends with stamps queues each where the kernel would, ahead of the
// answer to its request.
func (c *Conn) Deliver(m icmp.Message) {
	c.mu.Lock()
	c.q = append(c.q, m)
	c.mu.Unlock()
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// Queued returns the number of messages waiting to be read.
func (c *Conn) Queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.q)
}

// Sent returns a copy of the list of messages written so far.
func (c *Conn) Sent() []Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Packet(nil), c.sent...)
}

// take moves up to len(ms) queued messages into ms, copying their data
// into ms[i].Buf.
func (c *Conn) take(ms []icmp.Message) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(ms), len(c.q))
	for i, m := range c.q[:n] {
		if m.Received.IsZero() {
			m.Received = time.Now()
		}
		ms[i].Data = ms[i].Buf[:copy(ms[i].Buf, m.Data)]
		ms[i].Src, ms[i].TTL, ms[i].Received, ms[i].Queued, ms[i].Stamp = m.Src, m.TTL, m.Received, m.Queued, m.Stamp
	}
	c.q = c.q[n:]
	return n
}

// ReadBatch blocks until a message is queued, the read deadline passes
// (os.ErrDeadlineExceeded), ctx is done or the Conn is closed
// (os.ErrClosed), and then reads up to len(ms) messages.
func (c *Conn) ReadBatch(ctx context.Context, ms []icmp.Message) (int, error) {
	for {
		// The deadline first, as the runtime poller looks at it before
		// reading: a deadline in the past stops a reader even when
		// messages are queued.
		c.mu.Lock()
		dl := c.deadline
		c.mu.Unlock()
		var timeout <-chan time.Time
		var t *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			t = time.NewTimer(d)
			timeout = t.C
		}
		if n := c.take(ms); n > 0 {
			stop(t)
			return n, nil
		}
		var err error
		select {
		case <-c.ready:
		case <-c.moved: // a new deadline: look again, as a socket does
		case <-ctx.Done():
			err = ctx.Err()
		case <-timeout:
			err = os.ErrDeadlineExceeded
		case <-c.closed:
			err = os.ErrClosed
		}
		stop(t)
		if err != nil {
			return 0, err
		}
	}
}

func stop(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// TryReadBatch reads up to len(ms) queued messages without waiting; 0
// when none is queued.
func (c *Conn) TryReadBatch(ms []icmp.Message) (int, error) { return c.take(ms), nil }

// WaitRead blocks until a message is queued or ctx is done, and reads
// nothing.
func (c *Conn) WaitRead(ctx context.Context) error {
	for c.Queued() == 0 {
		select {
		case <-c.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Readable reports whether a message is queued.
func (c *Conn) Readable() (bool, error) { return c.Queued() > 0, nil }

// WriteTo records b as sent to dst and queues what the script answers.
func (c *Conn) WriteTo(_ context.Context, b []byte, dst netip.Addr) (int, error) {
	if hdr := map[bool]int{false: 20, true: 40}[dst.Is6()]; c.mtu > 0 && hdr+len(b) > c.mtu {
		err := &net.OpError{Op: "write", Net: "ip", Err: os.NewSyscallError("sendto", syscall.EMSGSIZE)}
		return 0, &icmp.MessageTooLongError{MTU: c.mtu, Err: err}
	}
	p := append([]byte(nil), b...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.norec {
		c.sent = append(c.sent, Packet{p, dst, time.Now()})
	}
	if c.script == nil {
		return len(b), nil
	}
	for _, d := range c.script(p, dst) {
		at := time.Now().Add(d.After)
		i := sort.Search(len(c.due), func(i int) bool { return c.due[i].at.After(at) })
		c.due = slices.Insert(c.due, i, scheduled{at, d.Msg})
		time.AfterFunc(d.After, c.deliverDue)
	}
	return len(b), nil
}

// deliverDue delivers, in order, every scripted answer due by now.
func (c *Conn) deliverDue() {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	for {
		c.mu.Lock()
		if len(c.due) == 0 || c.due[0].at.After(time.Now()) {
			c.mu.Unlock()
			return
		}
		m := c.due[0].msg
		// Stamped when it arrived, as a kernel stamps a datagram, not
		// when a busy process got round to queueing it.
		m.Received = c.due[0].at
		c.due = c.due[1:]
		c.mu.Unlock()
		c.Deliver(m)
	}
}

// WriteBatch writes each of pkts to dst as WriteTo does.
func (c *Conn) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	for i, p := range pkts {
		if _, err := c.WriteTo(ctx, p, dst); err != nil {
			return i, err
		}
	}
	return len(pkts), nil
}

// SetReadDeadline sets the time after which ReadBatch fails with
// os.ErrDeadlineExceeded; the zero time means none. A ReadBatch already
// waiting sees the new deadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	select {
	case c.moved <- struct{}{}:
	default:
	}
	return nil
}

// Close makes ReadBatch fail with os.ErrClosed.
func (c *Conn) Close() error { close(c.closed); return nil }
