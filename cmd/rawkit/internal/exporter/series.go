package exporter

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

// series are the metric children of one target at one address, made
// once and kept in the target's handler closure, so that a reply costs
// an atomic add and a histogram observation, never a label lookup.
//
// Each child carries its labels as constant labels: targets of different
// groups have different label names, which one metric vector cannot
// hold, and a reload that adds a label name must not rebuild (and so
// reset) the vectors of every other target. The seriesSet collector
// gathers them into one family per metric name.
type series struct {
	labels   prometheus.Labels
	requests prometheus.Counter
	lost     prometheus.Counter
	late     prometheus.Counter
	dups     prometheus.Counter
	sendErrs prometheus.Counter
	rtt      prometheus.Histogram
	ttl      prometheus.Gauge
	ttlSeen  atomic.Bool // a reply came: before it, no TTL series (not a false 0)

	mu       sync.Mutex // guards icmpErrs, written by the handler, read by scrapes
	icmpErrs map[string]prometheus.Counter

	win window
}

// Help texts, shared by every target's children.
const (
	helpRequests = "Echo requests sent."
	helpRTT      = "Round trip of echo replies, from kernel timestamps, in seconds."
	helpLost     = "Probes whose timeout passed with no reply."
	helpLate     = "Replies that came after their probe was counted lost."
	helpDups     = "Replies to probes already answered."
	helpICMP     = "ICMP errors quoting a probe, by type."
	helpSendErrs = "Probes whose send failed."
	helpTTL      = "IP TTL (IPv6 hop limit) of the last reply."
)

func newSeries(labels prometheus.Labels, cfg *Config) *series {
	s := &series{labels: labels, icmpErrs: map[string]prometheus.Counter{}}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels})
	}
	s.requests = counter("rawkit_ping_requests_total", helpRequests)
	s.lost = counter("rawkit_ping_lost_total", helpLost)
	s.late = counter("rawkit_ping_late_replies_total", helpLate)
	s.dups = counter("rawkit_ping_duplicates_total", helpDups)
	s.sendErrs = counter("rawkit_ping_send_errors_total", helpSendErrs)
	s.rtt = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "rawkit_ping_rtt_seconds", Help: helpRTT, ConstLabels: labels,
		Buckets:                     cfg.RTTBuckets,
		NativeHistogramBucketFactor: cfg.NativeFactor,
		// Native buckets of 1 µs and below would only hold loopback
		// jitter; a bound on their number keeps a target's memory fixed.
		NativeHistogramZeroThreshold:   1e-6,
		NativeHistogramMaxBucketNumber: 160,
	})
	s.ttl = prometheus.NewGauge(prometheus.GaugeOpts{Name: "rawkit_ping_reply_ttl", Help: helpTTL, ConstLabels: labels})
	return s
}

// handle counts one event of the engine. The engine calls it for one
// target at a time, never concurrently with itself.
func (s *series) handle(ev *echo.Event) {
	switch ev.Kind {
	case echo.EventSent:
		s.requests.Inc()
	case echo.EventReply:
		if ev.Late {
			s.late.Inc()
			return
		}
		s.rtt.Observe(ev.RTT.Seconds())
		if ev.TTL >= 0 {
			s.ttl.Set(float64(ev.TTL))
			s.ttlSeen.Store(true)
		}
		s.win.add(false, ev.RTT)
	case echo.EventDuplicate:
		s.dups.Inc()
	case echo.EventLost:
		s.lost.Inc()
		s.win.add(true, 0)
	case echo.EventError:
		s.icmpError(ev.ICMP).Inc()
	case echo.EventSendError:
		s.sendErrs.Inc()
	}
}

// icmpError returns the counter of e's type, made at its first use: a
// target sees few kinds of errors, most none.
func (s *series) icmpError(e icmp.Error) prometheus.Counter {
	name := icmpTypeName(e)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.icmpErrs[name]
	if c == nil {
		l := maps.Clone(s.labels)
		l["type"] = name
		c = prometheus.NewCounter(prometheus.CounterOpts{Name: "rawkit_ping_icmp_errors_total", Help: helpICMP, ConstLabels: l})
		s.icmpErrs[name] = c
	}
	return c
}

// icmpTypeName names an ICMP or ICMPv6 error type the same way for both
// families, so one alert covers both.
func icmpTypeName(e icmp.Error) string {
	if e.IPv6 {
		switch e.Type {
		case icmp.TypeDestUnreachV6:
			return "destination-unreachable"
		case icmp.TypePacketTooBigV6:
			return "packet-too-big"
		case icmp.TypeTimeExceededV6:
			return "time-exceeded"
		case icmp.TypeParameterProbV6:
			return "parameter-problem"
		}
		return fmt.Sprintf("icmpv6-%d", e.Type)
	}
	switch e.Type {
	case icmp.TypeDestUnreach:
		if e.Code == 4 {
			return "packet-too-big" // fragmentation needed, RFC 1191
		}
		return "destination-unreachable"
	case icmp.TypeSourceQuench:
		return "source-quench"
	case icmp.TypeRedirect:
		return "redirect"
	case icmp.TypeTimeExceeded:
		return "time-exceeded"
	case icmp.TypeParameterProb:
		return "parameter-problem"
	}
	return fmt.Sprintf("icmp-%d", e.Type)
}

// collect sends every child of s.
func (s *series) collect(ch chan<- prometheus.Metric) {
	for _, c := range []prometheus.Collector{s.requests, s.rtt, s.lost, s.late, s.dups, s.sendErrs} {
		c.Collect(ch)
	}
	if s.ttlSeen.Load() {
		s.ttl.Collect(ch)
	}
	s.mu.Lock()
	errs := make([]prometheus.Counter, 0, len(s.icmpErrs))
	for _, c := range s.icmpErrs {
		errs = append(errs, c)
	}
	s.mu.Unlock()
	for _, c := range errs {
		c.Collect(ch)
	}
}

// seriesSet is the collector of every target's series (echo and path).
// It describes nothing (an unchecked collector, prometheus.Registry's
// term): its metrics come and go with the targets.
type seriesSet struct {
	mu  sync.RWMutex
	all map[collecting]struct{}
}

// collecting is one target's series: *series or *pathSeries.
type collecting interface {
	collect(ch chan<- prometheus.Metric)
}

func newSeriesSet() *seriesSet { return &seriesSet{all: map[collecting]struct{}{}} }

func (ss *seriesSet) add(s collecting) {
	ss.mu.Lock()
	ss.all[s] = struct{}{}
	ss.mu.Unlock()
}

func (ss *seriesSet) remove(s collecting) {
	ss.mu.Lock()
	delete(ss.all, s)
	ss.mu.Unlock()
}

func (ss *seriesSet) Describe(chan<- *prometheus.Desc) {}

func (ss *seriesSet) Collect(ch chan<- prometheus.Metric) {
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	for s := range ss.all {
		s.collect(ch)
	}
}
