package trace

import (
	"math"
	"net/netip"
	"time"
)

// rttStats is mtr's per-host record of round trips (ui/net.c,
// net_process_ping), kept in whole microseconds with mtr's integer
// arithmetic so that every column comes out as mtr prints it: the mean
// and the jitter mean are ints updated incrementally (truncating), the
// sum of squared differences a 64-bit int, the interarrival jitter RFC
// 1889's (A.8) estimator.
type rttStats struct {
	returned                      int
	last, best, worst, avg, gmean int // µs
	ssd                           int64
	jitter, javg, jworst, jinta   int
}

// add records one round trip of us microseconds.
func (s *rttStats) add(us int) {
	s.jitter = us - s.last
	if s.jitter < 0 {
		s.jitter = -s.jitter
	}
	s.last = us
	if s.returned < 1 {
		s.best, s.worst, s.gmean = us, us, us
		s.avg, s.ssd = 0, 0
		s.jitter, s.jworst, s.jinta = 0, 0, 0
	}
	s.best = min(s.best, us)
	s.worst = max(s.worst, us)
	s.jworst = max(s.jworst, s.jitter)
	s.returned++
	old := s.avg
	// C's "int += double": the sum is taken in double, then truncated.
	s.avg = int(float64(s.avg) + float64(us-old)/float64(s.returned))
	s.ssd = int64(float64(s.ssd) + float64(us-old)*float64(us-s.avg))
	oldj := s.javg
	s.javg += (s.jitter - oldj) / s.returned
	s.jinta += s.jitter - ((s.jinta + 8) >> 4)
	if s.returned > 1 {
		n := float64(s.returned)
		s.gmean = int(math.Pow(float64(s.gmean), (n-1)/n) * math.Pow(float64(us), 1/n))
	}
}

// stdev is mtr's net_stdev: the sample standard deviation, truncated
// to whole microseconds.
func (s *rttStats) stdev() int {
	if s.returned < 2 {
		return 0
	}
	return int(math.Sqrt(float64(s.ssd) / (float64(s.returned) - 1)))
}

func us(n int) time.Duration { return time.Duration(n) * time.Microsecond }

// fill copies the columns into r.
func (s *rttStats) fill(r *ResponderStats) {
	r.Received = s.returned
	r.Last, r.Best, r.Worst, r.Avg = us(s.last), us(s.best), us(s.worst), us(s.avg)
	r.StDev, r.Gmean = us(s.stdev()), us(s.gmean)
	r.Jitter, r.JitterAvg, r.JitterMax, r.JitterInt = us(s.jitter), us(s.javg), us(s.jworst), us(s.jinta)
}

// ring is a bounded history of round trips in microseconds, -1 for a
// lost probe: fixed memory however long the monitor runs.
type ring struct {
	buf  []int32
	next int
	full bool
}

func newRing(n int) ring { return ring{buf: make([]int32, n)} }

func (r *ring) push(v int32) {
	if len(r.buf) == 0 {
		return
	}
	r.buf[r.next] = v
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// durations returns the history oldest first.
func (r *ring) durations() []time.Duration {
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	out := make([]time.Duration, 0, n)
	add := func(v int32) {
		if v < 0 {
			out = append(out, -1)
		} else {
			out = append(out, us(int(v)))
		}
	}
	if r.full {
		for _, v := range r.buf[r.next:] {
			add(v)
		}
	}
	for _, v := range r.buf[:r.next] {
		add(v)
	}
	return out
}

// maxStacks bounds the MPLS label stacks kept per responder.
const maxStacks = 4

// responder is one address answering at a TTL.
type responder struct {
	addr  netip.Addr
	stats rttStats
	// attributed counts probes charged to this responder: its answers,
	// and the losses of flows whose path last went through it.
	attributed, lost int
	flows            uint64 // bit f: flow f's probes reached it (flows < 64)
	mpls             [][]MPLSLabel
	hist             ring
	firstRound       int
}

// hopState is one TTL's statistics.
type hopState struct {
	ttl       int
	settled   int // probes answered or given up
	lost      int
	inflight  int
	all       rttStats // the TTL's aggregate, as mtr keeps it
	latest    netip.Addr
	latestMPL []MPLSLabel
	err       bool // an answer ended the path here (unreachable)
	// resp holds the responders, in the order they first answered;
	// bounded by maxResponders (later newcomers are merged into the
	// aggregate only).
	resp        []*responder
	flowAt      []netip.Addr // per flow: the responder its last answer came from
	hist        ring
	quotedTOS   int
	tosChanged  bool
	nat         bool
	changeRound int // the round a new responder last appeared (after the first rounds), -1 none
}

// maxResponders bounds the responders kept per TTL: ECMP fans out to a
// few, and a hop answered from many addresses (a lying middlebox) must
// not grow memory.
const maxResponders = 16

func newHopState(ttl, flows, history int) *hopState {
	return &hopState{ttl: ttl, flowAt: make([]netip.Addr, flows), hist: newRing(history),
		quotedTOS: -1, changeRound: -1}
}

// find returns the responder for addr, adding it when there is room.
func (h *hopState) find(addr netip.Addr, history, round int) *responder {
	for _, r := range h.resp {
		if r.addr == addr {
			return r
		}
	}
	if len(h.resp) >= maxResponders {
		return nil
	}
	r := &responder{addr: addr, hist: newRing(history), firstRound: round}
	h.resp = append(h.resp, r)
	return r
}

// sameStack compares two label stacks.
func sameStack(a, b []MPLSLabel) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// addStack keeps a label stack not seen yet, the latest maxStacks.
func (r *responder) addStack(st []MPLSLabel) {
	if len(st) == 0 {
		return
	}
	for _, s := range r.mpls {
		if sameStack(s, st) {
			return
		}
	}
	if len(r.mpls) == maxStacks {
		copy(r.mpls, r.mpls[1:])
		r.mpls = r.mpls[:maxStacks-1]
	}
	r.mpls = append(r.mpls, st)
}
