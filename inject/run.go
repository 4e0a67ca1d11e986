package inject

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	packetspec "github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/raw"
)

// Parse compiles spec and builds its packets; an unset source address is
// the one the kernel would use toward the packet's destination, through
// iface when it is not empty (see Source). Errors are *spec.Error,
// "no route" included.
func Parse(spec, iface string) ([]packetspec.Packet, error) {
	return packetspec.ParseConfig(spec, BuildConfig(iface))
}

// Config tunes a Session. A nil *Config means the defaults: every packet
// sent once, as fast as possible, nothing received.
type Config struct {
	// Interface binds the sockets to a network interface (SO_BINDTODEVICE).
	Interface string
	// Count is how many times the packets are sent, in order: the whole
	// list Count times. 0 means 1.
	Count int
	// Rate caps the sending at Rate packets per second; 0 means as fast
	// as possible, in sendmmsg(2) batches. At most one of Rate and
	// Interval may be set.
	Rate float64
	// Interval is the time between two packets; 0 means none.
	Interval time.Duration
	// Wait, when positive, receives answers until Wait has passed since
	// the last packet was sent, or every packet has had as many answers
	// as it was sent times.
	Wait time.Duration
	// Sent, if not nil, is called with each packet handed to the kernel,
	// its index in the packets and the time it was sent. It is called
	// from the sending goroutine, one packet after another.
	Sent func(index int, pkt []byte, t time.Time)
	// Senders is how many sockets send at once, each from its own
	// goroutine, taking every Senders-th batch: on loopback the kernel
	// does the receiver's work in the sender's context, so a flood uses
	// that many CPUs. Batches of different sockets may then leave in any
	// order. 0 chooses: several (GOMAXPROCS, at most 4) for an unpaced
	// run of MinParallel packets or more without Sent, otherwise one.
	// Paced runs and runs with Sent always use one.
	Senders int
}

// MinParallel is how many packets an unpaced run needs before Open
// chooses several senders.
const MinParallel = 1 << 16

// Answer is a received packet that answers a sent one.
type Answer struct {
	Index    int           // the packet it answers
	Data     []byte        // the answer, from its IPv4 header on
	Received time.Time     // the kernel's receive time
	RTT      time.Duration // since that packet was last sent
}

// Result is what a Session sent and received.
type Result struct {
	Sent       int       // packets handed to the kernel
	Start, End time.Time // when the first was sent, and when the last had been
	Answers    []Answer  // in the order they arrived, at most MaxAnswers and MaxAnswerBytes
	Dropped    int       // answers beyond those bounds, counted, not kept
}

// MaxAnswers and MaxAnswerBytes bound the answers a Result keeps, and
// the bytes of their data: 65,536 answers of 65,000 bytes (a flood of
// large datagrams to a port that echoes them) would be 4 GB.
const (
	MaxAnswers     = 1 << 16
	MaxAnswerBytes = 64 << 20
)

// batchSize is the most packets one sendmmsg(2) gets: past a few hundred
// the system call's cost is spread thin (raw's benchmark).
const batchSize = 256

// A Session is the sockets for sending a list of packets and receiving
// their answers. Open them first, then Run (so that a program can drop
// its privileges in between), then Close.
type Session struct {
	n    int                 // how many packets
	pkts []packetspec.Packet // all of them, or nil when built as sent
	// sp and build build the packets that pkts does not hold, with one
	// Packer per sending socket.
	sp      *packetspec.Spec
	build   *packetspec.Config
	packers []*packetspec.Packer
	dst     []netip.Addr // each packet's destination
	cfg     Config
	send    []*raw.Conn
	recv    []*raw.Conn
	// v6: the packets are IPv6; recvProto is the protocol of each
	// receiving socket, which an IPv6 answer's rebuilt header needs;
	// protos are the packets' transport protocols.
	v6        bool
	recvProto []int
	protos    map[int]bool
	match     *Matcher
	// link sends the packets marked in viaLink, which the raw socket
	// would alter; nil when there are none. linkDsts are their
	// destinations.
	link     *linkSender
	viaLink  []bool
	linkDsts []netip.Addr
}

// Open checks cfg and opens the sockets for sending pkts: a header-included
// raw socket; a packet socket (packet(7)) for the packets the raw socket
// would alter (a lying total length, a wrong header checksum, a zero
// identification or source; raw(7)), sent as built to the next hop of
// the kernel's route, found in the neighbour table or by ARP; and, with Wait, raw ICMP (ICMPv6) sockets and TCP or UDP ones for the
// protocols the packets carry. Without CAP_NET_RAW the error satisfies
// errors.Is(err, os.ErrPermission) and says what to do.
func Open(pkts []packetspec.Packet, cfg *Config) (*Session, error) {
	s := &Session{pkts: pkts, n: len(pkts)}
	if err := s.setConfig(cfg); err != nil {
		return nil, err
	}
	for i := range pkts {
		if err := s.note(i, &pkts[i]); err != nil {
			return nil, err
		}
	}
	return s.open()
}

// setConfig checks cfg and keeps it.
func (s *Session) setConfig(cfg *Config) error {
	if cfg != nil {
		s.cfg = *cfg
	}
	switch {
	case s.n == 0:
		return errors.New("inject: no packets")
	case s.cfg.Count < 0:
		return fmt.Errorf("inject: count %d is negative", s.cfg.Count)
	case !(s.cfg.Rate >= 0) || s.cfg.Interval < 0: // NaN too
		return errors.New("inject: negative rate or interval")
	case s.cfg.Rate > 0 && float64(time.Second)/s.cfg.Rate >= math.MaxInt64:
		// The gap between packets would overflow and pace nothing.
		return fmt.Errorf("inject: rate %v is too small", s.cfg.Rate)
	case s.cfg.Rate > 0 && s.cfg.Interval > 0:
		return errors.New("inject: set a rate or an interval, not both")
	case s.cfg.Senders < 0 || s.cfg.Senders > 64:
		return fmt.Errorf("inject: %d senders, want 0 to 64", s.cfg.Senders)
	}
	if s.cfg.Count == 0 {
		s.cfg.Count = 1
	}
	return nil
}

// open opens the sockets once every packet has been noted.
func (s *Session) open() (*Session, error) {
	// Protocol 255 (IPPROTO_RAW) sends whole IPv4 packets and receives
	// nothing (raw(7)); for IPv6, with IPV6_HDRINCL, whole IPv6 packets,
	// which the kernel sends as they are (raw.ListenIPv6).
	for range s.senders() {
		listen := raw.ListenIPv4
		if s.v6 {
			listen = raw.ListenIPv6
		}
		c, err := listen(255, &raw.Config{HeaderIncluded: true, Interface: s.cfg.Interface})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.send = append(s.send, c)
		if s.pkts == nil {
			s.packers = append(s.packers, s.sp.Packer(s.build))
		}
	}
	if err := s.openLink(); err != nil {
		s.Close()
		return nil, err
	}
	if s.cfg.Wait > 0 {
		open := s.openReceivers
		if s.v6 {
			open = s.openReceivers6
		}
		if err := open(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// senders returns how many sockets send; see Config.Senders.
func (s *Session) senders() int {
	paced := s.cfg.Rate > 0 || s.cfg.Interval > 0 || s.cfg.Sent != nil
	switch {
	case paced:
		return 1
	case s.cfg.Senders > 0:
		return s.cfg.Senders
	case s.n*s.cfg.Count >= MinParallel:
		return min(runtime.GOMAXPROCS(0), 4)
	}
	return 1
}

// Close closes the sockets.
func (s *Session) Close() error {
	var errs []error
	for _, c := range s.send {
		errs = append(errs, c.Close())
	}
	for _, c := range s.recv {
		errs = append(errs, c.Close())
	}
	if s.link != nil {
		errs = append(errs, s.link.Close())
	}
	for _, pk := range s.packers {
		pk.Release()
	}
	s.packers = nil
	return errors.Join(errs...)
}

// Run sends the packets and, with Wait, collects their answers. It
// returns when everything is sent and the wait is over, when ctx is done
// (what was sent and received so far comes back with ctx's error), or on
// a send error. Run may be called once.
func (s *Session) Run(ctx context.Context) (*Result, error) {
	res := &Result{}
	sendTimes := make([]atomic.Int64, s.n)
	rctx, stopRecv := context.WithCancel(ctx)
	answers := make(chan Answer, 1024)
	var wg sync.WaitGroup
	for k, c := range s.recv {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.v6 {
				s.receive6(rctx, c, s.recvProto[k], answers)
				return
			}
			s.receive(rctx, c, answers)
		}()
	}
	defer func() {
		stopRecv()
		wg.Wait()
	}()

	sendDone := make(chan error, 1)
	go func() { sendDone <- s.sendAll(ctx, res, sendTimes) }()

	got := make([]int, s.n)
	left := s.n * s.cfg.Count
	var waitC <-chan time.Time
	var sendErr error
	kept := 0 // bytes of the answers kept
	sending := true
	for {
		select {
		case err := <-sendDone:
			sending, sendErr = false, err
			if err != nil || s.match == nil || left == 0 {
				return res, err
			}
			t := time.NewTimer(s.cfg.Wait)
			defer t.Stop()
			waitC = t.C
		case a := <-answers:
			if sent := sendTimes[a.Index].Load(); sent != 0 {
				a.RTT = max(a.Received.Sub(time.Unix(0, sent)), 0)
			}
			if len(res.Answers) < MaxAnswers && kept+len(a.Data) <= MaxAnswerBytes {
				res.Answers = append(res.Answers, a)
				kept += len(a.Data)
			} else {
				res.Dropped++
			}
			if got[a.Index] < s.cfg.Count {
				got[a.Index]++
				left--
			}
			if left == 0 && !sending {
				return res, sendErr
			}
		case <-waitC:
			return res, nil
		case <-ctx.Done():
			if sending {
				<-sendDone
			}
			return res, ctx.Err()
		}
	}
}
