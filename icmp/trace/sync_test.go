package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"

	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// heldReceiver is a socket whose answers never wake a waiting reader,
// and whose reader finds them only once a sync has ended its wait: the
// kernel has answers queued that a descheduled receiver has not read.
type heldReceiver struct {
	*icmptest.Conn
	mu       sync.Mutex
	held     []icmp.Message
	released bool // a sync ended a wait
}

func (r *heldReceiver) WaitRead(ctx context.Context) error {
	<-ctx.Done()
	r.mu.Lock()
	r.released = true
	r.mu.Unlock()
	return ctx.Err()
}

func (r *heldReceiver) Readable() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.held) > 0, nil
}

func (r *heldReceiver) TryReadBatch(ms []icmp.Message) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) == 0 || !r.released {
		return 0, nil
	}
	m := r.held[0]
	r.held = r.held[1:]
	ms[0].Data, ms[0].Src, ms[0].Received = append(ms[0].Buf[:0], m.Data...), m.Src, m.Received
	return 1, nil
}

// heldSender queues for each probe an answer the kernel received 1 ms
// after the write, on a heldReceiver.
type heldSender struct {
	nopSender
	t  *testing.T
	p  *Path
	rx *heldReceiver
	i  int
}

func (s *heldSender) WriteBatch(_ context.Context, pkts [][]byte, _ netip.Addr) (int, error) {
	for range pkts {
		pkt := s.p.pr.build(nil, s.i, 1, s.p.s.Length)
		s.i++
		m := timeExceeded(s.t, append([]byte(nil), pkt[:28]...), nil)
		s.rx.mu.Lock()
		s.rx.held = append(s.rx.held, icmp.Message{Data: m, Src: netip.MustParseAddr("10.0.1.2"), Received: time.Now().Add(time.Millisecond)})
		s.rx.mu.Unlock()
	}
	return len(pkts), nil
}

// TestPathSyncTakesQueuedAnswers checks that when a probe's wait ends,
// the run has its receivers read what their sockets hold: an answer the
// kernel received in time counts, though nothing had read it, and its
// socket is not idle.
func TestPathSyncTakesQueuedAnswers(t *testing.T) {
	f := newFakePath(t, 2)
	p := f.path(&Config{MaxTTL: 1, Queries: 2, Wait: 50 * time.Millisecond, HereFactor: -1, NearFactor: -1})
	rx := &heldReceiver{}
	p.icmpConn = rx
	p.send = &heldSender{t: t, p: p, rx: rx}
	var hops []Hop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := p.Run(ctx, Events{Hop: func(h Hop) { hops = append(hops, h) }})
	if err != nil || len(hops) != 1 || sum.Answered != 2 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	for _, pr := range hops[0].Probes {
		if !pr.Answered || pr.RTT < time.Millisecond || pr.RTT > 5*time.Millisecond {
			t.Errorf("probe %d: %+v, want answered in about 1 ms", pr.Query, pr)
		}
	}
}
