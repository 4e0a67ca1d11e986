package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"

	"context"
	"net/netip"
	"runtime"
	"sync"
	"testing"
)

// gatedSender holds each write until the run has been handed every
// answer to the writes before it: the answers of a destination one hop
// away, which come back while the batch is still going out.
type gatedSender struct {
	*icmptest.Conn
	f  *fakePath
	rc *countingReceiver
}

func (s *gatedSender) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	s.rc.awaitHanded(s.f.sentCount())
	return s.Conn.WriteBatch(ctx, pkts, dst)
}

// countingReceiver counts the answers its receiver has handed over: a
// receiver hands over what one read returned before it begins the next.
type countingReceiver struct {
	*icmptest.Conn
	mu       sync.Mutex
	cond     *sync.Cond
	returned int // answers its reads returned
	handed   int // answers returned before the latest read began
}

func (r *countingReceiver) TryReadBatch(ms []icmp.Message) (int, error) {
	r.mu.Lock()
	r.handed = r.returned
	r.cond.Broadcast()
	r.mu.Unlock()
	n, err := r.Conn.TryReadBatch(ms)
	r.mu.Lock()
	r.returned += n
	r.mu.Unlock()
	return n, err
}

// awaitHanded waits until the answers to n probes (one each) have been
// handed over.
func (r *countingReceiver) awaitHanded(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.handed < n {
		r.cond.Wait()
	}
}

func (f *fakePath) sentCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent
}

// A destination that answers while the batch is still going out ends
// the sending: no probe beyond its TTL leaves. Every write here waits
// until the answers to the writes before it are in the run's hands, so
// the run knows of the destination's answer (to the first probe of TTL
// 3) when it comes to the third, and sends no probe of TTL 4 to 30.
func TestPathEngineSendsNothingBeyondAnsweredDestination(t *testing.T) {
	f := newFakePath(t, 2)
	f.perHop = 0 // answers queued within the write
	p := f.path(&Config{})
	rc := &countingReceiver{Conn: f.icmp}
	rc.cond = sync.NewCond(&rc.mu)
	p.icmpConn = rc
	p.send = &gatedSender{Conn: f.sender(), f: f, rc: rc}
	hops, sum, err := runPath(p)
	if err != nil || !sum.Reached || len(hops) != 3 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	if f.sent != 9 || sum.Sent != 9 {
		t.Errorf("%d probes sent (summary: %d), want the 9 of TTLs 1 to 3", f.sent, sum.Sent)
	}
	for _, h := range hops {
		for _, q := range h.Probes {
			if !q.Answered {
				t.Errorf("hop %d: probe %d unanswered", h.TTL, q.Query)
			}
		}
	}
}

// On one P (GOMAXPROCS 1, as rawkit traceroute runs) the receivers
// cannot run while a batch goes out, so the run itself looks at their
// sockets between writes: a destination two hops away whose answers are
// queued within the writes still ends the sending at its TTL. Without
// that look all 90 probes of TTLs 1 to 30 went out.
func TestPathEngineOnePSendsNothingBeyondAnsweredDestination(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f := newFakePath(t, 2)
	f.perHop = 0 // answers queued within the write
	hops, sum, err := runPath(f.path(&Config{}))
	if err != nil || !sum.Reached || len(hops) != 3 {
		t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
	}
	if n := f.sentCount(); n != 9 || sum.Sent != 9 {
		t.Errorf("%d probes sent (summary: %d), want the 9 of TTLs 1 to 3", n, sum.Sent)
	}
}
