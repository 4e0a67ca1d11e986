package trace

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/icmp/icmptest"
)

// fakeReserve hands out source ports for further flows without sockets.
func fakeReserve() portReserver {
	next := uint16(41000)
	return func(Method, netip.Addr) (uint16, interface{ Close() error }, error) {
		next++
		return next, nopCloser{}, nil
	}
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// fakeMonitor builds a monitor over the fake chain.
func fakeMonitor(t *testing.T, f *fakePath, cfg *MonitorConfig) *Monitor {
	t.Helper()
	s, err := cfg.settings()
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMonitor(f.path(&s.Config), s, fakeReserve())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMonitorRoundsMethods(t *testing.T) {
	for _, meth := range []Method{MethodUDP, MethodICMP, MethodTCP} {
		t.Run(meth.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFakePath(t, 3)
				var probes, rounds int
				sentAt, settledAt := map[int]int{}, map[int]int{}
				m := fakeMonitor(t, f, &MonitorConfig{Config: Config{Method: meth}, Count: 10,
					Probe:     func(p MonitorProbe) { probes++; settledAt[p.TTL]++ },
					Round:     func(int, time.Time) { rounds++ },
					ProbeSent: func(p MonitorProbe) { sentAt[p.TTL]++ }})
				start := time.Now()
				snap, err := m.Run(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				// Done when the last round is answered: 9 intervals and
				// the slowest round trip (4 ms), no grace wait.
				if el := time.Since(start); el != 9*time.Second+4*time.Millisecond {
					t.Errorf("10 rounds took %v, want 9.004s", el)
				}
				if snap.Rounds != 10 || rounds != 10 || !snap.Reached {
					t.Fatalf("rounds %d (%d callbacks), reached %v", snap.Rounds, rounds, snap.Reached)
				}
				if len(snap.Hops) != 4 {
					t.Fatalf("%d hops, want 4: %+v", len(snap.Hops), snap.Hops)
				}
				// Up to the destination every probe sent settles once;
				// beyond it, only the first round's are sent: answered
				// when the destination's answer came before the one that
				// showed it nearer, else dropped.
				for ttl := 1; ttl <= 4; ttl++ {
					if sentAt[ttl] != 10 || settledAt[ttl] != 10 {
						t.Errorf("ttl %d: %d sent, %d settled, want 10 each", ttl, sentAt[ttl], settledAt[ttl])
					}
				}
				for ttl, n := range sentAt {
					if ttl > 4 && (n > 1 || settledAt[ttl] > n) {
						t.Errorf("ttl %d beyond the destination: %d sent, %d settled", ttl, n, settledAt[ttl])
					}
				}
				for i, h := range snap.Hops {
					want := f.dst
					if i < 3 {
						want = f.routers[i]
					}
					if h.Sent != 10 || h.Lost != 0 || len(h.Responders) != 1 || h.Responders[0].Addr != want {
						t.Errorf("hop %d: sent %d lost %d responders %+v", h.TTL, h.Sent, h.Lost, h.Responders)
					}
					if r := h.All; r.Best != time.Duration(i+1)*time.Millisecond || r.StDev != 0 || r.Jitter != 0 {
						t.Errorf("hop %d: best %v stdev %v jitter %v", h.TTL, r.Best, r.StDev, r.Jitter)
					}
				}
				// The first round probes every TTL (30 of them, 27 beyond
				// the destination, answered and not counted); the others
				// stop at the destination.
				if probes < 4*10 {
					t.Errorf("%d probes settled, want at least 40", probes)
				}
			})
		})
	}
}

func TestMonitorSilentHopRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakePath(t, 4)
		f.silent[2] = true
		m := fakeMonitor(t, f, &MonitorConfig{Count: 5})
		start := time.Now()
		snap, err := m.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// The silent hop's last probe is given up NearFactor (10) times
		// the next hop's round trip (3 ms + 1 ms) after it left.
		if el := time.Since(start); el != 4*time.Second+40*time.Millisecond {
			t.Errorf("5 rounds took %v, want 4.04s", el)
		}
		for _, h := range snap.Hops {
			wantLost := 0
			if h.TTL == 2 {
				wantLost = 5
			}
			if h.Lost != wantLost || h.Sent != 5 || h.RateLimited != (h.TTL == 2) {
				t.Errorf("hop %d: sent %d lost %d rate limited %v", h.TTL, h.Sent, h.Lost, h.RateLimited)
			}
		}
	})
}

func TestMonitorFlowsKeepOwnFields(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakePath(t, 2)
		m := fakeMonitor(t, f, &MonitorConfig{Count: 3, Flows: 4})
		snap, err := m.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.FlowPaths) != 4 {
			t.Fatalf("%d flow paths", len(snap.FlowPaths))
		}
		for _, h := range snap.Hops {
			if h.Sent != 12 || len(h.Responders) != 1 || len(h.Responders[0].Flows) != 4 {
				t.Errorf("hop %d: sent %d responders %+v", h.TTL, h.Sent, h.Responders)
			}
		}
		// Each flow's probes have one source port, and the flows differ.
		ports := map[uint16]int{}
		for _, pr := range m.probers {
			ports[pr.sport]++
		}
		if len(ports) != 4 {
			t.Errorf("flows' source ports %v, want 4 distinct", ports)
		}
	})
}

func TestMonitorStatsMtrArithmetic(t *testing.T) {
	// Round trips 10.0, 12.5, 11.0 ms: mtr's columns with its integer
	// arithmetic in microseconds.
	var s rttStats
	for _, v := range []int{10000, 12500, 11000} {
		s.add(v)
	}
	if s.last != 11000 || s.best != 10000 || s.worst != 12500 || s.avg != 11166 {
		t.Errorf("last %d best %d worst %d avg %d", s.last, s.best, s.worst, s.avg)
	}
	// jitter: 0, 2500, 1500; javg: 0, 0+(2500-0)/2=1250, 1250+(1500-1250)/3=1333
	if s.jitter != 1500 || s.jworst != 2500 || s.javg != 1333 {
		t.Errorf("jitter %d jworst %d javg %d", s.jitter, s.jworst, s.javg)
	}
	// jinta: 0; 2500-((0+8)>>4)=2500; 2500+1500-((2500+8)>>4)=4000-156=3844
	if s.jinta != 3844 {
		t.Errorf("jinta %d", s.jinta)
	}
	if sd := s.stdev(); sd != 1258 {
		t.Errorf("stdev %d, want 1258", sd)
	}
}

// TestMonitorStatsMemoryFlat feeds 100,000 rounds of an 8-hop path with
// two ECMP responders and loss, and checks that the heap does not grow
// with the rounds: history rings and responder tables are bounded.
func TestMonitorStatsMemoryFlat(t *testing.T) {
	dst := netip.MustParseAddr("10.0.9.2")
	s := NewMonitorStats(MonitorStatsConfig{Dst: dst, FirstTTL: 1, MaxTTL: 30, Flows: 2})
	t0 := time.Unix(0, 0)
	round := func(n int64) {
		for ttl := 1; ttl <= 8; ttl++ {
			for f := range 2 {
				s.Sent(ttl)
				p := MonitorProbe{Round: n, Flow: f, TTL: ttl, Sent: t0, Answered: n%7 != 0, QuotedTOS: -1,
					From: netip.AddrFrom4([4]byte{10, 0, byte(ttl), byte(2 + f)}), RTT: time.Duration(ttl+int(n%5)) * time.Millisecond}
				if ttl == 8 {
					p.From, p.Reached, p.Final = dst, true, true
				}
				s.Add(p)
			}
		}
		s.RoundDone(t0)
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for n := range int64(1000) {
		round(n + 1)
	}
	before := heap()
	rounds := int64(100_000)
	if raceEnabled {
		rounds = 10_000 // 100,000 take 25 s under the race detector
	}
	for n := range rounds {
		round(n + 1001)
	}
	after := heap()
	if s.Rounds() != int(1000+rounds) {
		t.Fatalf("%d rounds", s.Rounds())
	}
	if after > before+64<<10 {
		t.Errorf("heap grew from %d to %d bytes over %d rounds", before, after, rounds)
	}
	snap := s.Snapshot()
	if len(snap.Hops) != 8 || len(snap.Hops[0].History) != DefaultHistory || len(snap.Hops[0].Responders) != 2 {
		t.Errorf("hops %d, history %d, responders %d", len(snap.Hops), len(snap.Hops[0].History), len(snap.Hops[0].Responders))
	}
}

// TestMonitorRunMemoryFlat runs the whole monitor (sockets, rounds,
// deadlines) for 100,000 rounds on the fake chain under a fake clock
// and checks the heap after the first thousand rounds and at the end.
func TestMonitorRunMemoryFlat(t *testing.T) {
	rounds := 100_000
	if raceEnabled || testing.Short() {
		// The race detector makes this 30 s; 10,000 rounds still show
		// a leak per round.
		rounds = 10_000
	}
	synctest.Test(t, func(t *testing.T) {
		f := newFakePath(t, 2)
		f.silent[1] = true // one hop's probes time out each round
		var before uint64
		m := fakeMonitor(t, f, &MonitorConfig{Count: rounds, Round: func(n int, _ time.Time) {
			if n == 1000 {
				before = heapNow()
			}
		}})
		snap, err := m.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		after := heapNow()
		if snap.Rounds != rounds || snap.Hops[0].Lost != rounds || snap.Hops[2].Sent != rounds {
			t.Fatalf("rounds %d, hop 1 lost %d, hop 3 sent %d", snap.Rounds, snap.Hops[0].Lost, snap.Hops[2].Sent)
		}
		if after > before+256<<10 {
			t.Errorf("heap grew from %d to %d bytes over %d rounds", before, after, rounds-1000)
		}
	})
}

func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMonitorLimiterPacesEveryMonitor: two monitors sharing a 100
// probes/s limiter never send two probes within 10 ms of each other,
// together.
func TestMonitorLimiterPacesEveryMonitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(100)
		var mu sync.Mutex
		var sent []time.Time
		record := func(p MonitorProbe) {
			mu.Lock()
			sent = append(sent, p.Sent)
			mu.Unlock()
		}
		var wg sync.WaitGroup
		for range 2 {
			f := newFakePath(t, 2)
			m := fakeMonitor(t, f, &MonitorConfig{Count: 3, Limiter: l, Probe: record})
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Run(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		slices.SortFunc(sent, func(a, b time.Time) int { return a.Compare(b) })
		// Each monitor's first round probes 30 TTLs, its next two 3.
		if len(sent) < 2*(3+3+3) {
			t.Fatalf("%d probes settled", len(sent))
		}
		for i := 1; i < len(sent); i++ {
			if gap := sent[i].Sub(sent[i-1]); gap < 10*time.Millisecond {
				t.Fatalf("probes %d and %d sent %v apart", i-1, i, gap)
			}
		}
	})
}

// TestMonitorStatsPathChange: a flow answered from another router at a
// TTL flags a path change there for 10 rounds.
func TestMonitorStatsPathChange(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.1.2"), netip.MustParseAddr("10.0.9.2")
	s := NewMonitorStats(MonitorStatsConfig{Dst: netip.MustParseAddr("10.0.2.2"), MaxTTL: 1})
	changed := map[int64]bool{}
	for n := int64(1); n <= 20; n++ {
		from := a
		if n >= 6 {
			from = b
		}
		s.Add(MonitorProbe{Round: n, TTL: 1, Answered: true, From: from, RTT: time.Millisecond, QuotedTOS: -1})
		s.RoundDone(time.Time{})
		changed[n] = s.Snapshot().Hops[0].PathChanged
	}
	for n := int64(1); n <= 20; n++ {
		if want := n >= 6 && n < 16; changed[n] != want {
			t.Errorf("round %d: path changed %v, want %v", n, changed[n], want)
		}
	}
}

// TestMonitorFirstRoundAtOnce: whatever the time of day, the first round
// goes at once and the report ends when the last round is answered.
func TestMonitorFirstRoundAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(123456789 * time.Nanosecond) // off the whole second
		f := newFakePath(t, 2)
		m := fakeMonitor(t, f, &MonitorConfig{Count: 3})
		start := time.Now()
		if _, err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el != 2*time.Second+3*time.Millisecond {
			t.Errorf("3 rounds took %v, want 2.003s", el)
		}
	})
}

// failingSender fails every 3rd probe's send with ENETUNREACH.
type failingSender struct {
	*icmptest.Conn
	n atomic.Int64
}

func (s *failingSender) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	if s.n.Add(1)%3 == 0 {
		return 0, &net.OpError{Op: "sendmmsg", Err: os.NewSyscallError("sendmmsg", syscall.ENETUNREACH)}
	}
	return s.Conn.WriteBatch(ctx, pkts, dst)
}

// TestMonitorSendErrorGoesOn: with SendError set, a failed send is
// reported and the run goes on; the probe is neither answered nor
// lost, and every probe that left settles once.
func TestMonitorSendErrorGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakePath(t, 3)
		sent, settled, failed := map[int]int{}, map[int]int{}, map[int]int{}
		m := fakeMonitor(t, f, &MonitorConfig{Config: Config{Method: MethodICMP, MaxTTL: 4}, Count: 6,
			ProbeSent: func(p MonitorProbe) { sent[p.TTL]++ },
			Probe:     func(p MonitorProbe) { settled[p.TTL]++ },
			SendError: func(p MonitorProbe, err error) {
				if !errors.Is(err, syscall.ENETUNREACH) {
					t.Errorf("send error %v", err)
				}
				failed[p.TTL]++
			}})
		m.path.send = &failingSender{Conn: f.sender()}
		snap, err := m.Run(context.Background())
		if err != nil || snap.Rounds != 6 {
			t.Fatalf("run: %v after %d rounds", err, snap.Rounds)
		}
		total := 0
		for ttl := 1; ttl <= 4; ttl++ {
			total += sent[ttl] + failed[ttl]
			if sent[ttl]+failed[ttl] != 6 || settled[ttl] != sent[ttl] {
				t.Errorf("ttl %d: %d sent, %d failed, %d settled", ttl, sent[ttl], failed[ttl], settled[ttl])
			}
			if h := snap.Hops[ttl-1]; h.Sent != sent[ttl] || h.InFlight != 0 {
				t.Errorf("ttl %d: statistics sent %d, in flight %d", ttl, h.Sent, h.InFlight)
			}
		}
		nfailed := 0
		for _, v := range failed {
			nfailed += v
		}
		if total != 24 || nfailed != 8 {
			t.Errorf("%d probes, %d failed; want 24 and 8", total, nfailed)
		}
	})
}
