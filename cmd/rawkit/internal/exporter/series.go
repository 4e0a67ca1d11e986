package exporter

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

// series are the counts of one target at one address, made once and
// kept in the target's handler closure, so that a reply costs an atomic
// add and a histogram observation, never a label lookup.
//
// The counters are plain atomics and the labels are held once per
// target, already encoded for both exposition formats (seriesLabels):
// the exposition (expose.go) writes them straight from here, without a
// client_golang Desc per child or the Registry's tree of every sample.
type series struct {
	lbl      *seriesLabels
	created  time.Time // the counters' start, their created timestamp
	requests atomic.Uint64
	lost     atomic.Uint64
	late     atomic.Uint64
	dups     atomic.Uint64
	sendErrs atomic.Uint64
	rtt      *rttHistogram
	ttl      atomic.Int64 // -1 until a reply came: before it, no TTL series (not a false 0)

	mu       sync.Mutex // guards icmpErrs, written by the handler, read by scrapes
	icmpErrs []*icmpCounter

	win window
}

// icmpCounter is rawkit_ping_icmp_errors_total of one target and type.
type icmpCounter struct {
	typ     string
	lbl     *seriesLabels // the target's labels and type
	created time.Time
	n       atomic.Uint64
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
	s := &series{lbl: newSeriesLabels(labels), created: time.Now()}
	s.ttl.Store(-1)
	s.rtt = newRTTHistogram(cfg.RTTBuckets, cfg.NativeFactor)
	return s
}

// handle counts one event of the engine. The engine calls it for one
// target at a time, never concurrently with itself.
func (s *series) handle(ev *echo.Event) {
	switch ev.Kind {
	case echo.EventSent:
		s.requests.Add(1)
	case echo.EventReply:
		if ev.Late {
			s.late.Add(1)
			return
		}
		s.rtt.observe(ev.RTT.Seconds())
		if ev.TTL >= 0 {
			s.ttl.Store(int64(ev.TTL))
		}
		s.win.add(false, ev.RTT)
	case echo.EventDuplicate:
		s.dups.Add(1)
	case echo.EventLost:
		s.lost.Add(1)
		s.win.add(true, 0)
	case echo.EventError:
		s.icmpError(ev.ICMP).n.Add(1)
	case echo.EventSendError:
		s.sendErrs.Add(1)
	}
}

// icmpError returns the counter of e's type, made at its first use: a
// target sees few kinds of errors, most none.
func (s *series) icmpError(e icmp.Error) *icmpCounter {
	name := icmpTypeName(e)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.icmpErrs {
		if c.typ == name {
			return c
		}
	}
	l := s.lbl.labels()
	l["type"] = name
	c := &icmpCounter{typ: name, lbl: newSeriesLabels(l), created: time.Now()}
	s.icmpErrs = append(s.icmpErrs, c)
	return c
}

// icmpCounters returns the ICMP error counters made so far.
func (s *series) icmpCounters() []*icmpCounter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.icmpErrs)
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

// seriesSet holds every target's series, for the exposition. Its
// metrics come and go with the targets.
type seriesSet struct {
	mu     sync.Mutex
	all    map[*series]struct{}
	sorted []*series // all, in exposition order; nil after a change
}

func newSeriesSet() *seriesSet { return &seriesSet{all: map[*series]struct{}{}} }

func (ss *seriesSet) add(s *series) {
	ss.mu.Lock()
	ss.all[s] = struct{}{}
	ss.sorted = nil
	ss.mu.Unlock()
}

func (ss *seriesSet) remove(s *series) {
	ss.mu.Lock()
	delete(ss.all, s)
	ss.sorted = nil
	ss.mu.Unlock()
}

// list returns the series in the order the Registry sorts samples
// (by label values), sorted again only after a change. The slice is
// never modified afterwards: a scrape reads it without the lock.
func (ss *seriesSet) list() []*series {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.sorted == nil {
		ss.sorted = slices.SortedFunc(maps.Keys(ss.all), func(a, b *series) int { return a.lbl.compare(b.lbl) })
	}
	return ss.sorted
}
