package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"

	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// wakeCountingReceiver counts the waits a sync ended: the run asked the
// receiver to catch up.
type wakeCountingReceiver struct {
	*icmptest.Conn
	outer context.Context // the run's caller's
	woken atomic.Int32
}

func (r *wakeCountingReceiver) WaitRead(ctx context.Context) error {
	err := r.Conn.WaitRead(ctx)
	if err != nil && r.outer.Err() == nil {
		r.woken.Add(1)
	}
	return err
}

// A silent hop is reported without waking a receiver that has nothing to
// hand over: its socket is empty and it holds nothing it read.
func TestPathSilentHopSparesIdleReceiver(t *testing.T) {
	f := newFakePath(t, 2)
	f.silent[2] = true
	p := f.path(&Config{MaxTTL: 3, Wait: 30 * time.Millisecond, HereFactor: -1, NearFactor: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rc := &wakeCountingReceiver{Conn: f.icmp, outer: ctx}
	p.icmpConn = rc
	var hops []Hop
	var wokenAtHop2 int32 = -1
	sum, err := p.Run(ctx, Events{Hop: func(h Hop) {
		if h.TTL == 2 {
			wokenAtHop2 = rc.woken.Load()
		}
		hops = append(hops, h)
	}})
	if err != nil || !sum.Reached || len(hops) != 3 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	for _, q := range hops[1].Probes {
		if q.Answered {
			t.Errorf("hop 2 probe %d answered by %v; its router is silent", q.Query, q.From)
		}
	}
	if wokenAtHop2 != 0 {
		t.Errorf("the receiver was woken %d times before the silent hop was reported, want 0", wokenAtHop2)
	}
}

// stallReceiver keeps what it read until a time: a receiver that read
// an answer in time but was descheduled before it handed it over.
type stallReceiver struct {
	*icmptest.Conn
	until atomic.Int64 // UnixNano; set by stallSender
}

func (r *stallReceiver) TryReadBatch(ms []icmp.Message) (int, error) {
	n, err := r.Conn.TryReadBatch(ms)
	if n > 0 {
		time.Sleep(time.Until(time.Unix(0, r.until.Load())))
	}
	return n, err
}

// stallSender has the receiver hold each answer until 2 ms after the
// probe's wait has ended.
type stallSender struct {
	*icmptest.Conn
	rx   *stallReceiver
	wait time.Duration
}

func (s *stallSender) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	s.rx.until.Store(time.Now().Add(s.wait + 2*time.Millisecond).UnixNano())
	return s.Conn.WriteBatch(ctx, pkts, dst)
}

// An answer a receiver has read, but not handed over, when the probe's
// wait ends still counts: the receiver is busy, so the run waits for it.
func TestPathAnswerInReceiversHandsCounts(t *testing.T) {
	const wait = 20 * time.Millisecond
	f := newFakePath(t, 2)
	p := f.path(&Config{MaxTTL: 1, Queries: 1, Wait: wait, HereFactor: -1, NearFactor: -1})
	rx := &stallReceiver{Conn: f.icmp}
	p.icmpConn = rx
	p.send = &stallSender{Conn: f.sender(), rx: rx, wait: wait}
	hops, sum, err := runPath(p)
	if err != nil || len(hops) != 1 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	if q := hops[0].Probes[0]; !q.Answered || q.RTT >= wait {
		t.Errorf("probe: %+v; want answered in about 1 ms", q)
	}
}
