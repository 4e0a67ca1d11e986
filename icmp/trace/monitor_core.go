package trace

import (
	"net/netip"
	"sort"
	"time"
)

// MonitorProbe is what became of one probe of a path monitor: the unit
// of its event stream. Feeding the same probes, in the same order, to
// [MonitorStats.Add] rebuilds the same statistics: that is how a
// recording is replayed.
type MonitorProbe struct {
	Round int64 // from 1
	Flow  int   // from 0
	TTL   int
	Sent  time.Time
	// Answered is false for a probe nobody answered within its wait.
	Answered bool
	From     netip.Addr
	RTT      time.Duration // whole microseconds, as mtr keeps them
	// Type and Code are the ICMP answer's; -1 for a TCP answer.
	Type, Code int
	// Reached reports an answer from the destination; Final one that
	// ends the path here (Reached, or an unreachable from a router).
	Reached, Final bool
	// QuotedTOS is the TOS (traffic class) the answer quoted; -1 when it
	// quoted none.
	QuotedTOS int
	// NAT reports a quote whose source address or ports differ from the
	// probe's.
	NAT  bool
	MPLS []MPLSLabel
}

// MonitorStats accumulates a path monitor's statistics from its probes:
// per TTL and per responder, in fixed memory (bounded responders per
// TTL, bounded history rings). It is not safe for concurrent use; the
// Monitor guards its own.
type MonitorStats struct {
	target           string
	dst              netip.Addr
	method           Method
	first, max       int
	flows, history   int
	tos              int
	hops             []*hopState // index ttl-first
	rounds           int
	started, ended   time.Time
	reached          bool
	paused           bool
	stop             int // the TTL the destination (or an unreachable) answered at; max when none
	lastResponderTTL int
}

// MonitorStatsConfig describes the probes whose statistics a
// MonitorStats keeps.
type MonitorStatsConfig struct {
	Target    string
	Dst       netip.Addr
	Method    Method
	FirstTTL  int // 0 means 1
	MaxTTL    int // 0 means 30
	Flows     int // 0 means 1
	History   int // RTTs kept per TTL and responder; 0 means DefaultHistory
	TOS       int // the TOS the probes were sent with
	StartTime time.Time
}

// DefaultHistory is the round trips kept per TTL and per responder.
const DefaultHistory = 200

// NewMonitorStats returns empty statistics.
func NewMonitorStats(c MonitorStatsConfig) *MonitorStats {
	c.FirstTTL = max(c.FirstTTL, 1)
	if c.MaxTTL == 0 {
		c.MaxTTL = DefaultMaxTTL
	}
	c.MaxTTL = max(c.MaxTTL, c.FirstTTL)
	c.Flows = max(c.Flows, 1)
	if c.History <= 0 {
		c.History = DefaultHistory
	}
	s := &MonitorStats{target: c.Target, dst: c.Dst, method: c.Method, first: c.FirstTTL, max: c.MaxTTL,
		flows: c.Flows, history: c.History, tos: c.TOS, stop: c.MaxTTL, started: c.StartTime}
	s.hops = make([]*hopState, c.MaxTTL-c.FirstTTL+1)
	for i := range s.hops {
		s.hops[i] = newHopState(c.FirstTTL+i, c.Flows, c.History)
	}
	return s
}

func (s *MonitorStats) hop(ttl int) *hopState {
	if ttl < s.first || ttl > s.max {
		return nil
	}
	return s.hops[ttl-s.first]
}

// Sent counts a probe at ttl as in flight (mtr's Snt counts it; Loss%
// does not).
func (s *MonitorStats) Sent(ttl int) {
	if h := s.hop(ttl); h != nil {
		h.inflight++
	}
}

// Forget drops a probe in flight that no longer counts (beyond the
// destination).
func (s *MonitorStats) Forget(ttl int) {
	if h := s.hop(ttl); h != nil && h.inflight > 0 {
		h.inflight--
	}
}

// Add settles one probe.
func (s *MonitorStats) Add(p MonitorProbe) {
	h := s.hop(p.TTL)
	if h == nil || p.Flow < 0 || p.Flow >= s.flows {
		return
	}
	if h.inflight > 0 {
		h.inflight--
	}
	h.settled++
	if !p.Answered {
		h.lost++
		h.hist.push(-1)
		if r := h.responderOf(p.Flow); r != nil {
			r.attributed++
			r.lost++
			r.hist.push(-1)
		}
		return
	}
	usec := int(p.RTT / time.Microsecond)
	h.all.add(usec)
	h.hist.push(int32(min(usec, 1<<31-1)))
	h.latest, h.latestMPL = p.From, p.MPLS
	r := h.find(p.From, s.history, int(p.Round))
	if r != nil {
		if r.firstRound > 3 && len(h.resp) > 1 {
			h.changeRound = r.firstRound
		}
		r.stats.add(usec)
		r.attributed++
		if p.Flow < 64 {
			r.flows |= 1 << p.Flow
		}
		r.hist.push(int32(min(usec, 1<<31-1)))
		r.addStack(p.MPLS)
	}
	if prev := h.flowAt[p.Flow]; prev.IsValid() && prev != p.From {
		h.changeRound = int(p.Round) // this flow's path moved at this TTL
	}
	h.flowAt[p.Flow] = p.From
	if p.QuotedTOS >= 0 {
		h.quotedTOS = p.QuotedTOS
		if p.QuotedTOS != s.tos && !p.Reached {
			h.tosChanged = true
		}
	}
	h.nat = h.nat || p.NAT
	s.lastResponderTTL = max(s.lastResponderTTL, p.TTL)
	switch {
	case p.Reached:
		s.reached = true
		s.stop = min(s.stop, p.TTL)
	case p.Final:
		h.err = true
		s.stop = min(s.stop, p.TTL)
	case p.TTL >= s.stop:
		// A router answers at or beyond where the path used to end: the
		// path got longer (mtr #361).
		s.stop = s.max
	}
}

// responderOf is the responder flow's probes at this TTL last reached.
func (h *hopState) responderOf(flow int) *responder {
	a := h.flowAt[flow]
	if !a.IsValid() {
		return nil
	}
	for _, r := range h.resp {
		if r.addr == a {
			return r
		}
	}
	return nil
}

// RoundDone counts a completed round; the first marks the start when
// none was given.
func (s *MonitorStats) RoundDone(at time.Time) {
	s.rounds++
	s.ended = at
}

// SetPaused records whether probing is paused.
func (s *MonitorStats) SetPaused(p bool) { s.paused = p }

// Rounds is the number of completed rounds.
func (s *MonitorStats) Rounds() int { return s.rounds }

// Stop is the last TTL worth probing: where the destination answered,
// or the maximum TTL.
func (s *MonitorStats) Stop() int { return s.stop }

// Reset forgets every statistic (mtr's r key), keeping the config.
func (s *MonitorStats) Reset(now time.Time) {
	n := NewMonitorStats(MonitorStatsConfig{Target: s.target, Dst: s.dst, Method: s.method, FirstTTL: s.first,
		MaxTTL: s.max, Flows: s.flows, History: s.history, TOS: s.tos, StartTime: now})
	for i, h := range s.hops {
		n.hops[i].inflight = h.inflight
	}
	n.paused = s.paused
	*s = *n
}

// last is the last TTL a snapshot shows, mtr's net_max: the
// destination's or an unreachable's TTL, else one past the farthest
// responder.
func (s *MonitorStats) last() int {
	if s.stop < s.max {
		return s.stop
	}
	if s.lastResponderTTL == 0 {
		return s.first - 1
	}
	return min(s.lastResponderTTL+1, s.max)
}

// Snapshot copies the statistics.
func (s *MonitorStats) Snapshot() MonitorSnapshot {
	snap := MonitorSnapshot{Target: s.target, Dst: s.dst, Method: s.method, Flows: s.flows, Rounds: s.rounds,
		Started: s.started, Ended: s.ended, Paused: s.paused, Reached: s.reached}
	last := s.last()
	for ttl := s.first; ttl <= last; ttl++ {
		snap.Hops = append(snap.Hops, s.hop(ttl).snapshot(s.rounds))
	}
	s.flags(snap.Hops)
	snap.FlowPaths = make([][]netip.Addr, s.flows)
	for f := range snap.FlowPaths {
		p := make([]netip.Addr, len(snap.Hops))
		for i := range p {
			p[i] = s.hop(s.first + i).flowAt[f]
		}
		snap.FlowPaths[f] = p
	}
	return snap
}

func (h *hopState) snapshot(rounds int) HopStats {
	hs := HopStats{TTL: h.ttl, Sent: h.settled, Lost: h.lost, InFlight: h.inflight, QuotedTOS: h.quotedTOS,
		History: h.hist.durations(), Latest: h.latest, Unreachable: h.err}
	hs.All.Addr = h.latest
	h.all.fill(&hs.All)
	hs.All.Loss = hs.Loss()
	if len(h.latestMPL) > 0 {
		hs.All.MPLS = [][]MPLSLabel{append([]MPLSLabel(nil), h.latestMPL...)}
	}
	hs.PathChanged = h.changeRound > 0 && rounds-h.changeRound < 10
	for _, r := range h.resp {
		rs := ResponderStats{Addr: r.addr, History: r.hist.durations()}
		r.stats.fill(&rs)
		if r.attributed > 0 {
			rs.Loss = 100 * float64(r.lost) / float64(r.attributed)
		}
		for f := range 64 {
			if r.flows&(1<<f) != 0 {
				rs.Flows = append(rs.Flows, f)
			}
		}
		for _, st := range r.mpls {
			rs.MPLS = append(rs.MPLS, append([]MPLSLabel(nil), st...))
		}
		hs.Responders = append(hs.Responders, rs)
		hs.FirstSeen = append(hs.FirstSeen, r.addr)
	}
	sort.SliceStable(hs.Responders, func(i, j int) bool { return hs.Responders[i].Received > hs.Responders[j].Received })
	return hs
}

// flags sets the per-hop flags that need the whole path: rate limiting
// (loss here that the hops after do not have), and the first hop whose
// quotes show NAT or a rewritten TOS.
func (s *MonitorStats) flags(hops []HopStats) {
	nat, tos := false, false
	for i := range hops {
		h := s.hop(hops[i].TTL)
		if h.nat && !nat {
			hops[i].NAT, nat = true, true
		}
		if h.tosChanged && !tos {
			hops[i].TOSChanged, tos = true, true
		}
	}
	for i := range hops {
		hops[i].RateLimited = rateLimited(hops, i)
	}
}

// rateLimited reports loss at hop i that does not continue downstream:
// some later hop that was probed answered a clearly larger share
// (its loss at most half of this hop's). Loss that continues to the end
// of the path is path loss, and the last hop has nothing after it.
func rateLimited(hops []HopStats, i int) bool {
	h := &hops[i]
	if h.Lost == 0 || h.Sent == 0 {
		return false
	}
	loss := h.Loss()
	for _, d := range hops[i+1:] {
		if d.Sent > 0 && d.Sent > d.Lost && d.Loss() <= loss/2 {
			return true
		}
	}
	return false
}
