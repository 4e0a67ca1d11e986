package echo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults, as iputils ping has them.
const (
	DefaultInterval = time.Second
	DefaultTimeout  = 10 * time.Second // iputils' -W and final wait
	// FloodInterval is how often a flood sends when no reply comes back:
	// "as fast as they come back or one hundred times per second".
	FloodInterval = 10 * time.Millisecond
	// EmptyPayload asks for echo requests with no payload at all (-s 0).
	EmptyPayload = -1
	readBatch    = 64
	sendBurst    = 64
)

// Config says how a run sends its probes. The zero value (or nil)
// sends one probe a second to every target until the context ends.
type Config struct {
	// Count is how many probes each target gets; 0 means no limit.
	Count int
	// CountReplies makes Count a number of answers (replies plus ICMP
	// errors) rather than probes: probes go on until that many came back,
	// as iputils does with a deadline (-w).
	CountReplies bool
	// StopOnError stops probing a target at its first ICMP error
	// (iputils -w).
	StopOnError bool
	// UncountedLocalErrors leaves the probes refused as too long out of
	// Stats.Errors (they still count in LocalErrors and Lost), and so out
	// of CountReplies and StopOnError: iputils -q does not count them.
	UncountedLocalErrors bool
	// Interval is the time between two probes to one target; 0 means
	// DefaultInterval, unless Flood is set.
	Interval time.Duration
	// Flood sends a target's next probe as soon as a reply comes back,
	// or every FloodInterval when none does, keeping at most Preload in
	// flight (iputils -f).
	Flood bool
	// Preload is how many probes go out at once at the start (iputils
	// -l); 0 means 1.
	Preload int
	// Timeout is how long a probe waits for its reply before it counts as
	// lost; 0 means DefaultTimeout.
	Timeout time.Duration
	// Linger ends the run the way iputils does once the last probe is
	// out: after twice the longest round trip (at least Interval) when
	// any reply came, after Timeout otherwise. Probes still out then are
	// lost.
	Linger bool
	// Rate caps the whole run's sending in probes per second with a token
	// bucket; 0 means no cap.
	Rate float64
	// Size is the payload length in bytes; 0 means 56, EmptyPayload none.
	Size int
	// Pattern fills the payload past the run's token and probe number,
	// repeated from payload offset 0 as iputils -p fills it; nil means
	// iputils' default fill, each byte its offset. Replies are checked
	// against the fill from offset 16 on, as iputils checks them
	// (Event.WrongByte).
	Pattern []byte
	// Token is the per-run tag carried in every payload; nil means a
	// fresh one from crypto/rand.
	Token *Token
	// Handler, if set, gets every event. Calls come one at a time, in
	// order, from the engine's goroutines; the handler may call Stats.
	Handler func(*Event)
}

// Engine is one run of echo probes to a set of targets over one socket.
type Engine struct {
	socks   []echoSock // one per family; targets name theirs by index
	cfg     Config
	size    int
	token   Token
	handler func(*Event)

	hmu      sync.Mutex // held while collecting and delivering events: keeps their order
	mu       sync.Mutex // guards everything below
	targets  []target
	total    Stats
	ring     []slot
	heap     deadlineHeap
	nextNo   uint32 // number of the next probe, from 1
	sched    schedule
	bucket   bucket
	first    int64 // time of the first send, ns
	last     int64 // time of the latest send, ns
	lingerAt int64
	started  bool

	kick chan struct{}
}

type target struct {
	addr     netip.Addr
	sock     uint8 // index in Engine.socks
	stats    Stats
	lastSent int64 // ns
	lastNo   uint32
}

// New prepares a run to targets over c. id is the ICMP identifier the
// requests carry — on a ping socket, the socket's local port, which the
// kernel writes there anyway. The targets are all IPv4 (ICMP echo over an
// IPv4 socket) or all IPv6 (ICMPv6 echo over an IPv6 socket): one socket
// speaks one family. NewSockets takes both.
func New(c Conn, id uint16, targets []netip.Addr, cfg *Config) (*Engine, error) {
	if len(targets) == 0 {
		return nil, errors.New("icmp: no targets")
	}
	v6 := targets[0].Is6() && !targets[0].Is4In6()
	return NewSockets([]Socket{{Conn: c, ID: id, IPv6: v6}}, targets, cfg)
}

// maxPayload is the largest echo payload every socket of the run can
// carry: IPv4's total length counts its header, IPv6's payload length
// does not (RFC 8200, section 3).
func (e *Engine) maxPayload() int {
	for _, s := range e.socks {
		if !s.v6 {
			return maxEchoPayload
		}
	}
	return maxEchoPayload6
}

// NewSockets prepares a run to targets of both families: each target
// is probed over the socket of its family, of which socks has at most one
// each (Listen opens them; only Conn, ID and IPv6 are used). A run over two sockets cannot flood (Config.Flood), whose
// single goroutine waits on one socket.
func NewSockets(socks []Socket, targets []netip.Addr, cfg *Config) (*Engine, error) {
	if len(targets) == 0 {
		return nil, errors.New("icmp: no targets")
	}
	e := &Engine{kick: make(chan struct{}, 1)}
	if err := e.setSockets(socks, targets); err != nil {
		return nil, err
	}
	if cfg != nil {
		e.cfg = *cfg
	}
	if e.cfg.Flood && len(e.socks) > 1 {
		return nil, errors.New("icmp: a flood goes to targets of one family")
	}
	if e.cfg.Count < 0 || e.cfg.Preload < 0 || e.cfg.Interval < 0 || e.cfg.Timeout < 0 || e.cfg.Rate < 0 {
		return nil, fmt.Errorf("icmp: negative count, preload, interval, timeout or rate in %+v", e.cfg)
	}
	switch {
	case e.cfg.Size == EmptyPayload:
		e.size = 0
	case e.cfg.Size == 0:
		e.size = defaultEchoPayload
	case e.cfg.Size < 0 || e.cfg.Size > e.maxPayload():
		return nil, fmt.Errorf("icmp: payload size %d out of range 0..%d", e.cfg.Size, e.maxPayload())
	default:
		e.size = e.cfg.Size
	}
	if e.cfg.Interval == 0 && !e.cfg.Flood {
		e.cfg.Interval = DefaultInterval
	}
	if e.cfg.Preload == 0 {
		e.cfg.Preload = 1
	}
	if e.cfg.Timeout == 0 {
		e.cfg.Timeout = DefaultTimeout
	}
	if e.cfg.Token != nil {
		e.token = *e.cfg.Token
	} else if _, err := rand.Read(e.token[:]); err != nil {
		return nil, fmt.Errorf("icmp: run token: %w", err)
	}
	e.handler = e.cfg.Handler
	for i := range e.socks {
		e.socks[i].setTemplate(e.token, e.size, e.cfg.Pattern)
	}
	e.ring = make([]slot, ringSize)
	e.heap.ring = e.ring
	e.nextNo = 1
	e.bucket = newBucket(e.cfg.Rate)
	return e, nil
}

// Run sends the probes and collects the answers until every target has
// had its count and every probe its answer or deadline, or until ctx is
// done; probes still out then count as lost. It returns ctx's error when
// ctx ended the run, and may be called once.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return errors.New("icmp: Engine.Run called twice")
	}
	e.started = true
	e.sched.start(now(), e.cfg.Preload)
	e.mu.Unlock()
	for i := range e.socks {
		if fc, ok := e.socks[i].c.(fastConn); ok {
			e.socks[i].fast = fc // written here only, before the loops start
		}
	}
	if e.cfg.Flood {
		return e.runFlood(ctx, &e.socks[0])
	}
	// Reads and writes run without ctx, which would cost every call a
	// watcher: the sender watches ctx while it waits, and the receiver is
	// stopped by a read deadline in the past once the sender is done.
	var stopping atomic.Bool
	var wg sync.WaitGroup
	var rerr atomic.Pointer[error] // the first receiver's failure
	for i := range e.socks {
		wg.Add(1)
		go func(s *echoSock) {
			defer wg.Done()
			if err := e.receiveLoop(s, &stopping); err != nil {
				rerr.CompareAndSwap(nil, &err)
				select { // wake the sender: the run cannot go on
				case e.kick <- struct{}{}:
				default:
				}
			}
		}(&e.socks[i])
	}
	received := func() error {
		if p := rerr.Load(); p != nil {
			return *p
		}
		return nil
	}
	err := e.sendLoop(ctx, received)
	stopping.Store(true)
	for i := range e.socks {
		e.socks[i].c.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // Close unblocks the reader anyway
	}
	wg.Wait()
	for i := range e.socks {
		e.socks[i].c.SetReadDeadline(time.Time{}) //nolint:errcheck // best effort
	}
	e.finish(now())
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case received() != nil:
		return received()
	}
	return err
}

// background is the context of the engine's reads and writes; see Run.
var background = context.Background()

// now is the clock; kernel timestamps are wall-clock times too.
func now() int64 { return time.Now().UnixNano() }

func (e *Engine) emit(buf []Event, ev Event) []Event {
	if e.handler == nil {
		return buf
	}
	return append(buf, ev)
}

func (e *Engine) deliver(evs []Event) {
	for i := range evs {
		e.handler(&evs[i])
	}
}
