package capture

import (
	"context"
	"errors"
	"time"

	"github.com/gopacket/gopacket"
)

// Packet is a captured packet that owns its bytes.
type Packet struct {
	Timestamp      time.Time // when the kernel saw it
	LinkType       LinkType  // what Data starts with
	Data           []byte    // as captured, from the link-layer header
	Length         int       // length on the wire; Data is shorter only if cut at the snap length
	InterfaceIndex int       // the kernel's index of the interface it was seen on
}

// Collector captures in the background until Stop: the shape a test
// needs to check what crossed the wire while something else runs.
type Collector struct {
	c      *Conn
	cancel context.CancelFunc
	done   chan struct{}
	pkts   []Packet
	err    error
}

// Collect opens a capture with Listen and collects every packet in a
// goroutine until Stop. The socket is bound to the network namespace of
// the calling thread (call it inside netlab's Host.Do to capture in a
// host's namespace) and is ready when Collect returns: whatever is sent
// afterwards is seen.
func Collect(ifname string, cfg *Config) (*Collector, error) {
	c, err := Listen(ifname, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Collector{c: c, cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s, nil
}

func (s *Collector) keep(data []byte, ci gopacket.CaptureInfo) error {
	s.pkts = append(s.pkts, Packet{Timestamp: ci.Timestamp, LinkType: s.c.LinkType(),
		Data: append([]byte(nil), data...), Length: ci.Length, InterfaceIndex: ci.InterfaceIndex})
	return nil
}

func (s *Collector) run(ctx context.Context) {
	defer close(s.done)
	for {
		data, ci, err := s.c.ReadPacket(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				err = s.c.Drain(s.keep)
			}
			s.err = err
			return
		}
		_ = s.keep(data, ci)
	}
}

// Stop ends the capture once the kernel has handed over every packet it
// holds, closes it, and returns the packets in order and the kernel's
// counts. Check Stats.Dropped: a test oracle that dropped packets has
// not seen everything.
func (s *Collector) Stop() ([]Packet, Stats, error) {
	s.cancel()
	<-s.done
	st, err := s.c.Stats()
	if s.err != nil {
		err = s.err
	}
	if cerr := s.c.Close(); err == nil {
		err = cerr
	}
	return s.pkts, st, err
}
