package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/internal/checksum"

	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// fakePath is an in-memory chain of routers behind a pathConn: each
// probe written is answered, after perHop times its hop, as the kernel
// and routers of a real chain would answer it.
type fakePath struct {
	t       *testing.T
	routers []netip.Addr
	dst     netip.Addr
	perHop  time.Duration
	silent  map[int]bool // TTLs whose router sends no time exceeded
	linkMTU map[int]int  // MTU of the link after router k (from 1)
	v6      bool         // an IPv6 chain (newFakePath6)

	icmp, tcp *icmptest.Conn // the answers' sockets

	mu          sync.Mutex
	inflight    int
	maxInflight int
	sent        int
}

func newFakePath(t *testing.T, routers int) *fakePath {
	f := &fakePath{t: t, dst: netip.MustParseAddr("10.0.99.2"), perHop: time.Millisecond,
		silent: map[int]bool{}, linkMTU: map[int]int{},
		icmp: icmptest.NewConn(nil, nil), tcp: icmptest.NewConn(nil, nil)}
	for i := range routers {
		f.routers = append(f.routers, netip.AddrFrom4([4]byte{10, 0, byte(i + 1), 2}))
	}
	return f
}

// path returns a Path over the fake network, as New would set it up.
func (f *fakePath) path(cfg *Config) *Path {
	s, err := cfg.settings(f.v6)
	if err != nil {
		f.t.Fatal(err)
	}
	t := &Path{s: s, localMTU: 1500}
	t.pr = prober{method: s.Method, paris: !s.Classic, src: netip.MustParseAddr("10.0.1.1"), dst: f.dst,
		sport: 40000, dport: uint16(s.Port), echoID: 77, seqBase: 1000, tos: s.TOS, df: s.DontFragment}
	if f.v6 {
		t.pr.v6, t.pr.src, t.pr.flow = true, netip.MustParseAddr("fd00:0:0:1::1"), 0xabcde
	}
	t.send = f.sender()
	t.icmpConn = f.icmp
	if s.Method == MethodTCP {
		t.tcpConn = f.tcp
	}
	return t
}

// sender is the probe socket of the fake network: each probe written
// is answered by deliver.
func (f *fakePath) sender() *icmptest.Conn {
	return icmptest.NewConn(func(p []byte, _ netip.Addr) []icmptest.Delivery {
		f.deliver(p)
		return nil
	}, nil)
}

// deliver decides who answers a probe and queues the answer.
func (f *fakePath) deliver(p []byte) {
	if f.v6 {
		f.deliver6(p)
		return
	}
	ttl, size, df := int(p[8]), len(p), binary.BigEndian.Uint16(p[6:])&flagDF != 0
	f.mu.Lock()
	f.sent++
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.mu.Unlock()
	n := len(f.routers)
	for k := 1; k <= n && k < ttl; k++ {
		if mtu := f.linkMTU[k]; mtu > 0 && size > mtu && df {
			m, _ := (&xicmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 4,
				Body: &xicmp.DstUnreach{Data: p[:28]}}).Marshal(nil)
			binary.BigEndian.PutUint16(m[6:], uint16(mtu))
			binary.BigEndian.PutUint16(m[2:], 0)
			binary.BigEndian.PutUint16(m[2:], checksum.Checksum(m))
			f.answer(k, f.icmp, m, f.routers[k-1])
			return
		}
	}
	var m []byte
	ch := f.icmp
	from := f.dst
	hop := ttl
	switch {
	case ttl <= n:
		if f.silent[ttl] {
			f.answer(ttl, nil, nil, from)
			return
		}
		q := append([]byte(nil), p[:28]...)
		q[8] = 1 // the TTL the datagram reached the router with
		m, _ = (&xicmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &xicmp.TimeExceeded{Data: q}}).Marshal(nil)
		from = f.routers[ttl-1]
	default:
		hop = n + 1
		switch p[9] {
		case 17:
			m, _ = (&xicmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 3, Body: &xicmp.DstUnreach{Data: p[:28]}}).Marshal(nil)
		case 1:
			m = append([]byte(nil), p[20:]...)
			m[0] = 0
		case 6:
			m = make([]byte, 20)
			copy(m[0:2], p[22:24])
			copy(m[2:4], p[20:22])
			binary.BigEndian.PutUint32(m[8:], binary.BigEndian.Uint32(p[24:])+1)
			m[13] = 0x14 // RST, ACK
			ch = f.tcp
		}
	}
	f.answer(hop, ch, m, from)
}

// answer queues m after hop times perHop; with no perHop, within the
// write, as loopback answers.
func (f *fakePath) answer(hop int, ch *icmptest.Conn, m []byte, from netip.Addr) {
	// Stamped with when it is due, as a kernel stamps a datagram on
	// arrival, however late a loaded machine runs the timer.
	due := time.Now().Add(time.Duration(hop) * f.perHop)
	queue := func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
		if ch != nil {
			ch.Deliver(icmp.Message{Data: m, Src: from, Received: due})
		}
	}
	if f.perHop == 0 {
		queue()
		return
	}
	time.AfterFunc(time.Duration(hop)*f.perHop, queue)
}

func runFake(t *testing.T, f *fakePath, cfg *Config) ([]Hop, Summary, error) {
	t.Helper()
	return runPath(f.path(cfg))
}

// runPath runs p, with 10 s at most, and returns the hops it reported.
func runPath(p *Path) ([]Hop, Summary, error) {
	var hops []Hop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := p.Run(ctx, Events{Hop: func(h Hop) { hops = append(hops, h) }})
	return hops, sum, err
}

func TestPathEngineMethods(t *testing.T) {
	for _, m := range []Method{MethodUDP, MethodICMP, MethodTCP} {
		f := newFakePath(t, 5)
		// Full waits: the HERE and NEAR rules have their own test, and a
		// loaded machine may deliver a fake answer later than they allow.
		hops, sum, err := runFake(t, f, &Config{Method: m, HereFactor: -1, NearFactor: -1})
		if err != nil || !sum.Reached || len(hops) != 6 || sum.Hops != 6 {
			t.Fatalf("%v: %d hops, %+v, %v", m, len(hops), sum, err)
		}
		for i, h := range hops {
			want := f.dst
			if i < 5 {
				want = f.routers[i]
			}
			for _, p := range h.Probes {
				if h.TTL != i+1 || !p.Answered || p.From != want || p.RTT <= 0 {
					t.Errorf("%v hop %d: %+v, want from %v", m, i+1, p, want)
				}
			}
		}
		if !hops[5].Probes[0].Reached || hops[4].Probes[0].QuotedTTL != 1 {
			t.Errorf("%v: last hop %+v", m, hops[5].Probes[0])
		}
	}
}

func TestPathEngineSilentHopUsesNearWait(t *testing.T) {
	f := newFakePath(t, 4)
	f.silent[2] = true
	start := time.Now()
	hops, sum, err := runFake(t, f, nil) // default wait: 5 s, NEAR 10
	if err != nil || !sum.Reached || len(hops) != 5 {
		t.Fatalf("%d hops %+v %v", len(hops), sum, err)
	}
	for _, p := range hops[1].Probes {
		if p.Answered {
			t.Errorf("silent hop answered: %+v", p)
		}
	}
	// NEAR: 10 × (hop 3's ~3 ms + 1 ms), far below the 5 s wait.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("trace took %v; the silent hop was waited for in full", d)
	}
}

func TestPathEngineBoundsProbesInFlight(t *testing.T) {
	f := newFakePath(t, 6)
	// Full waits: a probe timed out early would free its slot while the
	// fake still counts it.
	hops, _, err := runFake(t, f, &Config{Simultaneous: 2, HereFactor: -1, NearFactor: -1})
	if err != nil || len(hops) != 7 {
		t.Fatalf("%d hops %v", len(hops), err)
	}
	if f.maxInflight > 2 {
		t.Errorf("%d probes in flight at once, bound 2", f.maxInflight)
	}
	// Unbounded: every probe up to the max TTL goes out at the start,
	// before the first answer (100 ms away) comes back.
	f = newFakePath(t, 6)
	f.perHop = 100 * time.Millisecond
	if _, _, err := runFake(t, f, &Config{MaxTTL: 10}); err != nil {
		t.Fatal(err)
	}
	if f.maxInflight != 30 {
		t.Errorf("%d probes in flight at most, want all 30", f.maxInflight)
	}
}

func TestPathEngineMTU(t *testing.T) {
	f := newFakePath(t, 4)
	f.linkMTU[2] = 1280
	hops, sum, err := runFake(t, f, &Config{MTU: true, Queries: 2})
	if err != nil || !sum.Reached || len(hops) != 5 {
		t.Fatalf("%d hops %+v %v", len(hops), sum, err)
	}
	if hops[0].Probes[0].MTU != 1500 || hops[2].Probes[0].MTU != 1280 || hops[2].Probes[0].From != f.routers[2] {
		t.Errorf("marks: hop 1 %+v, hop 3 %+v", hops[0].Probes[0], hops[2].Probes[0])
	}
	for _, h := range hops[2:] {
		for _, p := range h.Probes {
			if p.Size != 1280 {
				t.Errorf("hop %d probe of %d bytes after the drop", h.TTL, p.Size)
			}
		}
	}
	// Without --mtu, DF probes get !F at the router before the narrow link.
	f = newFakePath(t, 4)
	f.linkMTU[2] = 1280
	hops, sum, _ = runFake(t, f, &Config{DontFragment: true, Length: 1400})
	if sum.Reached || len(hops) != 3 || hops[2].Probes[0].NextMTU != 1280 || hops[2].Probes[0].From != f.routers[1] {
		t.Errorf("DF: %d hops, %+v", len(hops), hops[len(hops)-1])
	}
}

func TestPathEngineCancel(t *testing.T) {
	f := newFakePath(t, 3)
	f.silent[1], f.silent[2], f.silent[3] = true, true, true
	f.routers = f.routers[:3]
	p := f.path(&Config{Wait: time.Hour, HereFactor: -1, NearFactor: -1, MaxTTL: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Run(ctx, Events{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("Run returned %v after %v", err, time.Since(start))
	}
}

// TestPathEngineGivesUpWhenDue: a silent probe is given up when its wait
// is over, not before: the last stretch of the wait, on the fine timer,
// must not end early. The fake network sends within microseconds of
// Run's start, so a run that ends before the wait did give up early.
func TestPathEngineGivesUpWhenDue(t *testing.T) {
	const wait = 20 * time.Millisecond
	f := newFakePath(t, 2)
	f.silent[1], f.silent[2] = true, true
	hops, sum, err := runFake(t, f, &Config{Wait: wait, HereFactor: -1, NearFactor: -1, MaxTTL: 2, Queries: 1})
	if err != nil || len(hops) != 2 || hops[0].Probes[0].Answered || hops[1].Probes[0].Answered {
		t.Fatalf("%+v %v", hops, err)
	}
	if sum.Elapsed < wait || sum.Elapsed > wait+time.Second {
		t.Errorf("run took %v, want %v to %v", sum.Elapsed, wait, wait+time.Second)
	}
}
