package trace

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// nopSender takes probes and sends nothing.
type nopSender struct{ *icmptest.Conn }

func (*nopSender) WriteBatch(_ context.Context, pkts [][]byte, _ netip.Addr) (int, error) {
	return len(pkts), nil
}

// TestPathStampKeys checks that a send stamp goes to the probe of the
// send it is keyed by, whatever order stamps and answers come in, and
// that a probe without a stamp keeps the time taken before its write.
func TestPathStampKeys(t *testing.T) {
	f := newFakePath(t, 3)
	p := f.path(&Config{MaxTTL: 3, Queries: 2})
	p.send, p.stamps = &nopSender{icmptest.NewConn(nil, nil)}, true
	r := p.newRun()
	if err := r.sendMore(context.Background(), nil, Events{}); err != nil {
		t.Fatal(err)
	}
	if len(r.keys) != 6 {
		t.Fatalf("%d sends keyed, want 6", len(r.keys))
	}
	base := time.Now().Add(-time.Hour)
	sentAt := func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond) }
	const rtt = 7 * time.Millisecond
	answer := func(i int) {
		t.Helper()
		a := answerTo(t, p, i)
		a.received = sentAt(i).Add(rtt)
		if _, ok := r.apply(a); !ok {
			t.Fatalf("answer to probe %d not taken", i)
		}
	}
	// Stamps in reverse order, before the answers, for probes 5 to 2.
	for i := 5; i >= 2; i-- {
		r.stamp(uint32(i), sentAt(i))
	}
	for i := 2; i < 6; i++ {
		answer(i)
	}
	// Probe 1: the answer first, then its stamp, which corrects the
	// round trip. Probe 0: no stamp at all.
	answer(1)
	r.stamp(1, sentAt(1))
	answer(0)
	// Unknown keys are ignored.
	r.stamp(6, base)
	r.stamp(1<<31, base)
	for i := 1; i < 6; i++ {
		if got := r.probes[i].res.RTT; got != rtt {
			t.Errorf("probe %d: RTT %v, want %v from its stamp", i, got, rtt)
		}
	}
	// Probe 0's round trip runs from the time taken before the write,
	// an hour after its made-up answer.
	if p0 := r.probes[0]; !p0.stamp.IsZero() || p0.res.RTT != 0 {
		t.Errorf("probe 0 without stamp: stamp %v, RTT %v, want none and 0 (received before sent)", p0.stamp, p0.res.RTT)
	}
	var hops []Hop
	r.emit(func(h Hop) { hops = append(hops, h) }, time.Now())
	if len(hops) != 3 || r.sum.SendStamps != 5 {
		t.Errorf("%d hops, %d send stamps, want 3 and 5", len(hops), r.sum.SendStamps)
	}
}

// TestPathStampResend checks that in MTU mode the stamp of a probe's
// first, too large, send does not time its second.
func TestPathStampResend(t *testing.T) {
	f := newFakePath(t, 2)
	p := f.path(&Config{MaxTTL: 2, Queries: 1})
	p.send, p.stamps = &nopSender{icmptest.NewConn(nil, nil)}, true
	r := p.newRun()
	if err := r.sendMore(context.Background(), nil, Events{}); err != nil {
		t.Fatal(err)
	}
	// Probe 1 goes again: it is send 2 now.
	r.probes[1].state = probePending
	r.resend = append(r.resend, 1)
	if err := r.sendMore(context.Background(), nil, Events{}); err != nil {
		t.Fatal(err)
	}
	if r.probes[1].key != 2 {
		t.Fatalf("resent probe has key %d, want 2", r.probes[1].key)
	}
	r.stamp(1, time.Unix(1, 0))
	if !r.probes[1].stamp.IsZero() {
		t.Errorf("stamp of the first send taken for the second")
	}
	at := time.Now()
	r.stamp(2, at)
	if !r.probes[1].stamp.Equal(at) {
		t.Errorf("stamp of the second send not taken")
	}
}

// answerTo is the answer a router of f would send to probe i of p.
func answerTo(t *testing.T, p *Path, i int) answer {
	t.Helper()
	pkt := p.pr.build(nil, i, 1, p.s.Length)
	q := append([]byte(nil), pkt[:28]...)
	m := timeExceeded(t, q, nil)
	a, ok := p.pr.icmpAnswer(m, netip.MustParseAddr("10.0.1.2"))
	if !ok || a.idx != i {
		t.Fatalf("answer to probe %d matched probe %d (%v)", i, a.idx, ok)
	}
	return a
}

// lagSender is a fake probe socket whose kernel sends each probe lag
// after the write, and stamps it so.
type lagSender struct {
	*icmptest.Conn
	lag time.Duration

	mu     sync.Mutex
	key    uint32
	stamps []sendStamp
}

func (s *lagSender) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	s.mu.Lock()
	for range pkts {
		s.stamps = append(s.stamps, sendStamp{key: s.key, at: time.Now().Add(s.lag)})
		s.key++
	}
	s.mu.Unlock()
	return s.Conn.WriteBatch(ctx, pkts, dst)
}

func (s *lagSender) TryReadStamps(st []sendStamp) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := copy(st, s.stamps)
	s.stamps = s.stamps[n:]
	return n, nil
}

// TestPathEngineSendStamps runs a trace whose probes leave well after
// their writes: the round trips count from the stamps.
func TestPathEngineSendStamps(t *testing.T) {
	const perHop, lag = 40 * time.Millisecond, 30 * time.Millisecond
	f := newFakePath(t, 2)
	f.perHop = perHop
	p := f.path(&Config{MaxTTL: 3, HereFactor: -1, NearFactor: -1})
	p.send = &lagSender{Conn: f.sender(), lag: lag}
	p.stamps = true
	hops, sum, err := runPath(p)
	if err != nil || !sum.Reached || len(hops) != 3 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	if sum.SendStamps != 9 {
		t.Errorf("%d of %d answers timed from send stamps, want 9", sum.SendStamps, sum.Answered)
	}
	for _, h := range hops {
		for _, pr := range h.Probes {
			// The answer comes TTL*perHop after the write, lag after
			// the stamp: the round trip is TTL*perHop-lag, give or take
			// a busy machine's delays, never TTL*perHop.
			want := time.Duration(h.TTL)*perHop - lag
			if pr.RTT < want || pr.RTT >= want+lag/2 {
				t.Errorf("hop %d: RTT %v, want %v from the stamp", h.TTL, pr.RTT, want)
			}
		}
	}
}
