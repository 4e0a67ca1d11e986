//go:build linux

package netlab

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture"
)

// Sniffer is a running capture inside a host's namespace: the capture
// oracle of the privileged tests. It is an AF_PACKET socket of rawkit's
// capture package (packet(7)) on the receiving or sending side of a link,
// so it sees what crossed the wire, not what the code under test says it
// sent.
type Sniffer struct {
	what   string // "NAMESPACE:IFACE filter", for messages
	c      *capture.Conn
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader has returned
	seen   atomic.Int64  // packets read so far, for settle

	pkts    []Packet // the reader's until done, then Stop's
	readErr error    // the reader's until done

	stop sync.Once
	out  []Packet
	err  error
}

// SniffConfig tunes StartSniff. The zero value means the defaults.
type SniffConfig struct {
	// Snaplen is the most bytes kept of each packet: DefaultSnaplen if 0.
	Snaplen int
	// BufferKiB is the size of the kernel ring in KiB: DefaultBufferKiB
	// if 0. A burst larger than the ring holds before the reader drains
	// it is dropped, and Stop reports the drop.
	BufferKiB int
}

// Capture defaults: 32 MiB of ring, room for thousands of packets of up
// to 4 KiB (more than the 1500-byte MTU of the links) in a burst.
const (
	DefaultSnaplen   = 4096
	DefaultBufferKiB = 32 << 10
)

// StartSniff starts a capture on iface inside the host's namespace with
// a tcpdump filter expression ("" for everything; pcap-filter(7)) and a
// configuration (nil means the defaults), and returns once the capture is
// open, so that whatever is sent afterwards is captured. Stop ends it and
// returns what it saw; Close abandons it.
//
// On lo, where the kernel shows every packet twice (leaving and
// arriving), each packet is recorded once, as it left. On "any" the
// packets carry a LINUX_SLL2 header.
func (h *Host) StartSniff(iface, filter string, cfg *SniffConfig) (*Sniffer, error) {
	snaplen, bufKiB := DefaultSnaplen, DefaultBufferKiB
	if cfg != nil && cfg.Snaplen > 0 {
		snaplen = cfg.Snaplen
	}
	if cfg != nil && cfg.BufferKiB > 0 {
		bufKiB = cfg.BufferKiB
	}
	s := &Sniffer{what: fmt.Sprintf("%s:%s %q", h.Name, iface, filter), done: make(chan struct{})}
	// The socket belongs to the namespace of the thread that opens it and
	// stays there, whichever thread reads it later.
	err := h.Do(func() (err error) {
		s.c, err = capture.Listen(iface, &capture.Config{Filter: filter, SnapLen: snaplen, BufferSize: bufKiB << 10})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netlab: sniff %s: %w", s.what, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.read(ctx)
	return s, nil
}

// String names the capture: "NAMESPACE:IFACE filter".
func (s *Sniffer) String() string { return s.what }

// Close ends a capture that Stop has not ended, discarding what it saw;
// a later Stop reports that. After Stop it does nothing.
func (s *Sniffer) Close() error {
	var err error
	s.stop.Do(func() {
		s.cancel()
		<-s.done
		err = s.c.Close()
		s.err = errors.New("not stopped")
	})
	return err
}

// keep copies a packet out of the ring.
func (s *Sniffer) keep(data []byte, ci gopacket.CaptureInfo) error {
	s.pkts = append(s.pkts, Packet{Timestamp: ci.Timestamp, LinkType: s.c.LinkType(),
		Data: append([]byte(nil), data...), Length: ci.Length})
	s.seen.Add(1)
	return nil
}

// read collects packets until ctx is cancelled.
func (s *Sniffer) read(ctx context.Context) {
	defer close(s.done)
	for {
		data, ci, err := s.c.ReadPacket(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				s.readErr = err
			}
			return
		}
		_ = s.keep(data, ci)
	}
}

// Stop ends the capture and returns the packets seen, in order. It
// returns an error, with the packets read, if the capture failed, if the
// kernel dropped packets (its ring was full), or if fewer packets were
// read than the kernel had queued: an oracle that missed packets would
// mislead. Calling it again returns the same packets and error.
func (s *Sniffer) Stop() ([]Packet, error) {
	s.stop.Do(func() { s.out, s.err = s.finish() })
	return s.out, s.err
}

func (s *Sniffer) finish() ([]Packet, error) {
	s.settle()
	s.cancel()
	<-s.done
	defer s.c.Close()
	if s.readErr != nil {
		return s.pkts, s.readErr
	}
	// Every packet the kernel counted before this point is in the ring or
	// already read; Drain hands over the rest, so at least that many
	// must have been read.
	before, err := s.c.Stats()
	if err != nil {
		return s.pkts, err
	}
	if err := s.c.Drain(s.keep); err != nil {
		return s.pkts, err
	}
	st, err := s.c.Stats()
	switch {
	case err != nil:
		return s.pkts, err
	case st.Dropped > 0:
		return s.pkts, fmt.Errorf("the kernel dropped %d of %d packets (ring full)", st.Dropped, st.Received)
	case uint64(len(s.pkts)) < before.Received:
		return s.pkts, fmt.Errorf("the kernel queued %d packets, only %d were read", before.Received, len(s.pkts))
	}
	return s.pkts, nil
}

// settle waits until no packet has been read for 150 ms (at most 3 s),
// so that packets still crossing the link or waiting in the ring are
// read before the capture stops. The ring hands packets over at least
// every block timeout (50 ms), well within the quiet time.
func (s *Sniffer) settle() {
	const quiet, most, step = 150 * time.Millisecond, 3 * time.Second, 25 * time.Millisecond
	last := int64(-1)
	var still time.Duration
	tick := time.NewTicker(step)
	defer tick.Stop()
	for waited := time.Duration(0); waited < most && still < quiet; waited += step {
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
		if n := s.seen.Load(); n == last {
			still += step
		} else {
			last, still = n, 0
		}
	}
}
