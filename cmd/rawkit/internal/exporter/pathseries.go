package exporter

import (
	"fmt"
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rawkit/rawkit/icmp/trace"
)

// Limits of one path target's state, whatever it meets.
const (
	// responderWindow is the rounds over which rawkit_path_hop_responders
	// counts distinct responders.
	responderWindow = 10
	// maxHopResponders bounds the responders remembered per TTL: ECMP
	// fans out to a few, and a middlebox answering from many addresses
	// must not grow memory.
	maxHopResponders = 64
)

// Help texts of the path series.
const (
	helpPathRequests   = "Probes sent to the path's destination with this IP TTL (IPv6 hop limit)."
	helpPathLost       = "Probes at this TTL that nobody answered within their timeout."
	helpPathRTT        = "Round trip of the answers to probes at this TTL (time exceeded from a router, or the destination's answer), in seconds."
	helpPathResponders = "Distinct addresses that answered probes at this TTL over the last 10 rounds (at most 64)."
	helpPathRounds     = "Rounds completed: every probe of the round answered or timed out."
	helpPathChanges    = "Rounds whose responders differ from the path seen before: a flow answered at some TTL from another address than it last did there, or the path ended (destination, or an unreachable) at another TTL."
	helpPathHops       = "TTL at which the destination last answered (the path's length in hops)."
	helpPathReached    = "Whether the destination answered in the last completed round."
	helpPathSendErrs   = "Probes whose send failed (no route, a firewall, no buffer space): never sent, so neither requests nor lost."
)

// hopSeries are one TTL's children, made when the first probe at that
// TTL leaves.
type hopSeries struct {
	requests, lost prometheus.Counter
	rtt            prometheus.Histogram
	responders     prometheus.Gauge
	seen           map[netip.Addr]int // responder → the last round it answered in
	// For the landing page: counts and the last responder.
	nSent, nLost int
	last         netip.Addr
}

// roundPath is what the answers of one open round showed: per flow and
// TTL the responder, and the TTL the path ended at (0: not seen).
type roundPath struct {
	at      map[[2]int]netip.Addr // {flow, ttl}
	end     int
	reached bool
}

// pathSeries are the metric children of one path target at one
// address, and what the path-change count compares. The monitor's
// callbacks (sent, settled, round) come from its Run goroutine; scrapes
// read under mu.
type pathSeries struct {
	labels prometheus.Labels
	cfg    *Config
	maxTTL int

	rounds, changes prometheus.Counter
	sendErrs        prometheus.Counter
	hops, reached   prometheus.Gauge

	mu      sync.Mutex
	hop     []*hopSeries // index TTL; nil where no probe went, or beyond the destination
	hopsSet bool         // the destination answered once: hops has a value
	open    map[int64]*roundPath
	free    []*roundPath          // closed rounds' maps, reused
	stable  map[[2]int]netip.Addr // per {flow, ttl}: the responder last seen
	end     int                   // the TTL the path last ended at; 0 unknown
	// For the landing page.
	nRounds, nChanges int
	lastReached       bool
}

func newPathSeries(labels prometheus.Labels, cfg *Config, maxTTL int) *pathSeries {
	s := &pathSeries{labels: labels, cfg: cfg, maxTTL: maxTTL, hop: make([]*hopSeries, maxTTL+1),
		open: map[int64]*roundPath{}, stable: map[[2]int]netip.Addr{}}
	s.rounds = prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_path_rounds_total", Help: helpPathRounds, ConstLabels: labels})
	s.changes = prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_path_changes_total", Help: helpPathChanges, ConstLabels: labels})
	s.sendErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_path_send_errors_total", Help: helpPathSendErrs, ConstLabels: labels})
	s.hops = prometheus.NewGauge(prometheus.GaugeOpts{Name: "rawkit_path_hops", Help: helpPathHops, ConstLabels: labels})
	s.reached = prometheus.NewGauge(prometheus.GaugeOpts{Name: "rawkit_path_reached", Help: helpPathReached, ConstLabels: labels})
	return s
}

// newHop makes TTL ttl's children.
func (s *pathSeries) newHop(ttl int) *hopSeries {
	l := maps.Clone(s.labels)
	l["ttl"] = strconv.Itoa(ttl)
	return &hopSeries{
		requests: prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_path_hop_requests_total", Help: helpPathRequests, ConstLabels: l}),
		lost:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_path_hop_lost_total", Help: helpPathLost, ConstLabels: l}),
		rtt: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rawkit_path_hop_rtt_seconds", Help: helpPathRTT, ConstLabels: l,
			Buckets: s.cfg.RTTBuckets, NativeHistogramBucketFactor: s.cfg.NativeFactor,
			NativeHistogramZeroThreshold: 1e-6, NativeHistogramMaxBucketNumber: 160,
		}),
		responders: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rawkit_path_hop_responders", Help: helpPathResponders, ConstLabels: l}),
		seen:       map[netip.Addr]int{},
	}
}

// begin readies the series for a new monitor run: its rounds count from
// 1 again, so the open rounds of the last one are forgotten.
func (s *pathSeries) begin() {
	s.mu.Lock()
	clear(s.open)
	s.mu.Unlock()
}

// sent counts a probe that left.
func (s *pathSeries) sent(p trace.MonitorProbe) {
	if p.TTL < 1 || p.TTL > s.maxTTL {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hop[p.TTL]
	if h == nil {
		h = s.newHop(p.TTL)
		s.hop[p.TTL] = h
	}
	h.requests.Inc()
	h.nSent++
}

// sendError counts a probe whose send failed; the monitor goes on.
func (s *pathSeries) sendError(trace.MonitorProbe, error) { s.sendErrs.Inc() }

// settled counts a probe's end: answered, or lost once its timeout
// passed. A probe whose TTL's series are gone (beyond the destination)
// is not counted.
func (s *pathSeries) settled(p trace.MonitorProbe) {
	if p.TTL < 1 || p.TTL > s.maxTTL {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hop[p.TTL]
	if h == nil {
		return
	}
	if !p.Answered {
		h.lost.Inc()
		h.nLost++
		return
	}
	h.rtt.Observe(p.RTT.Seconds())
	h.last = p.From
	if _, ok := h.seen[p.From]; ok || len(h.seen) < maxHopResponders {
		h.seen[p.From] = int(p.Round)
	}
	rp := s.open[p.Round]
	if rp == nil {
		if n := len(s.free); n > 0 {
			rp, s.free = s.free[n-1], s.free[:n-1]
		} else {
			rp = &roundPath{at: map[[2]int]netip.Addr{}}
		}
		s.open[p.Round] = rp
	}
	rp.at[[2]int{p.Flow, p.TTL}] = p.From
	if p.Final && (rp.end == 0 || p.TTL < rp.end) {
		rp.end, rp.reached = p.TTL, p.Reached
	}
}

// round closes round n: the path seen in it against the one before,
// the destination's TTL, the responders per TTL.
func (s *pathSeries) round(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.open[int64(n)]
	for k, o := range s.open {
		if k <= int64(n) {
			delete(s.open, k)
			if o != rp {
				s.recycle(o)
			}
		}
	}
	defer s.recycle(rp)
	s.rounds.Inc()
	s.nRounds++
	if rp == nil {
		rp = &roundPath{} // nobody answered in the round
	}
	s.reached.Set(boolFloat(rp.reached))
	s.lastReached = rp.reached
	if s.changed(rp) {
		s.changes.Inc()
		s.nChanges++
	}
	for k, a := range rp.at {
		if rp.end == 0 || k[1] <= rp.end {
			s.stable[k] = a
		}
	}
	if rp.end > 0 {
		s.end = rp.end
		// The path ends here: nothing is sent beyond it any more, and
		// the series there (from the probes sent before the end was
		// known) go.
		for ttl := rp.end + 1; ttl < len(s.hop); ttl++ {
			s.hop[ttl] = nil
		}
		for k := range s.stable {
			if k[1] > rp.end {
				delete(s.stable, k)
			}
		}
		if rp.reached {
			s.hops.Set(float64(rp.end))
			s.hopsSet = true
		}
	}
	for _, h := range s.hop {
		if h == nil {
			continue
		}
		for a, last := range h.seen {
			if last <= n-responderWindow {
				delete(h.seen, a)
			}
		}
		h.responders.Set(float64(len(h.seen)))
	}
}

// recycle keeps a closed round's map for the next rounds (a few: as
// many as are open at once at most).
func (s *pathSeries) recycle(rp *roundPath) {
	if rp == nil || rp.at == nil || len(s.free) >= 8 {
		return
	}
	clear(rp.at)
	rp.end, rp.reached = 0, false
	s.free = append(s.free, rp)
}

// changed reports whether round rp's path differs from the one seen
// before: a flow answered at a TTL from another address than it last
// did there, or the path ended at another TTL. TTLs nobody answered
// this round (loss) are no change.
func (s *pathSeries) changed(rp *roundPath) bool {
	if rp.end > 0 && s.end > 0 && rp.end != s.end {
		return true
	}
	for k, a := range rp.at {
		if rp.end > 0 && k[1] > rp.end {
			continue
		}
		if prev, ok := s.stable[k]; ok && prev != a {
			return true
		}
	}
	return false
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collect sends every child of s.
func (s *pathSeries) collect(ch chan<- prometheus.Metric) {
	s.rounds.Collect(ch)
	s.changes.Collect(ch)
	s.sendErrs.Collect(ch)
	s.reached.Collect(ch)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hopsSet {
		s.hops.Collect(ch)
	}
	for _, h := range s.hop {
		if h == nil {
			continue
		}
		h.requests.Collect(ch)
		h.lost.Collect(ch)
		h.rtt.Collect(ch)
		h.responders.Collect(ch)
	}
}

// summary is the landing page's line for the path: rounds, changes,
// whether the last round reached the destination, and per TTL the last
// responder and the share of probes lost (of those sent).
func (s *pathSeries) summary() (rounds, changes int, reached bool, hops string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for ttl, h := range s.hop {
		if h == nil {
			continue
		}
		who := "???"
		if h.last.IsValid() {
			who = h.last.String()
		}
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
		fmt.Fprintf(&b, "%d %s %.0f%%", ttl, who, 100*float64(h.nLost)/float64(max(h.nSent, 1)))
	}
	return s.nRounds, s.nChanges, s.lastReached, b.String()
}

// pathSet is the collector of every path target's series, registered
// with the exporter's Registry: path targets are few (maxPathTargets, at
// most maxPathTTL hops each), so their client_golang children cost little,
// unlike the echo targets' series, which /metrics writes itself. It
// describes nothing (an unchecked collector, prometheus.Registry's
// term): its metrics come and go with the targets.
type pathSet struct {
	mu  sync.RWMutex
	all map[*pathSeries]struct{}
}

func newPathSet() *pathSet { return &pathSet{all: map[*pathSeries]struct{}{}} }

func (ps *pathSet) add(s *pathSeries) {
	ps.mu.Lock()
	ps.all[s] = struct{}{}
	ps.mu.Unlock()
}

func (ps *pathSet) remove(s *pathSeries) {
	ps.mu.Lock()
	delete(ps.all, s)
	ps.mu.Unlock()
}

// Describe describes nothing: see pathSet.
func (ps *pathSet) Describe(chan<- *prometheus.Desc) {}

// Collect sends every path target's series.
func (ps *pathSet) Collect(ch chan<- prometheus.Metric) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	for s := range ps.all {
		s.collect(ch)
	}
}
