package exporter

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/trace"
)

// TestNoTTLBeforeReply: a target with no reply yet has no TTL series
// (a 0 would read as a TTL).
func TestNoTTLBeforeReply(t *testing.T) {
	t.Parallel()
	s := newSeries(prometheus.Labels{"target": "a", "ip": "127.0.0.1"}, &Config{RTTBuckets: defaultBuckets, NativeFactor: 1.1})
	count := func() int {
		ch := make(chan prometheus.Metric, 100)
		s.collect(ch)
		close(ch)
		n := 0
		for m := range ch {
			if m.Desc() == s.ttl.Desc() {
				n++
			}
		}
		return n
	}
	s.handle(&echo.Event{Kind: echo.EventSent, Probe: 1})
	s.handle(&echo.Event{Kind: echo.EventLost, Probe: 1})
	if count() != 0 {
		t.Error("a TTL series before any reply")
	}
	s.handle(&echo.Event{Kind: echo.EventReply, Probe: 2, TTL: 61, RTT: time.Millisecond})
	if count() != 1 {
		t.Error("no TTL series after a reply")
	}
}

// BenchmarkHandleReply is what one reply costs the exporter: the sent
// and reply events of a probe through a target's series.
func BenchmarkHandleReply(b *testing.B) {
	s := newSeries(prometheus.Labels{"target": "a", "ip": "127.0.0.1"}, &Config{RTTBuckets: defaultBuckets, NativeFactor: 1.1})
	sent := &echo.Event{Kind: echo.EventSent}
	reply := &echo.Event{Kind: echo.EventReply, TTL: 64}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		reply.RTT = time.Duration(100+i%1000) * time.Microsecond
		s.handle(sent)
		s.handle(reply)
	}
}

// BenchmarkScrape10k is one text scrape of 10,000 targets with a reply
// each (classic and native buckets held): its time, and its size in
// bytes as a metric.
func BenchmarkScrape10k(b *testing.B) {
	set := newSeriesSet()
	cfg := &Config{RTTBuckets: defaultBuckets, NativeFactor: 1.1}
	for i := range 10000 {
		s := newSeries(prometheus.Labels{"target": fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "ip": "10.0.0.1", "site": "fra1"}, cfg)
		s.handle(&echo.Event{Kind: echo.EventSent, Probe: 1})
		s.handle(&echo.Event{Kind: echo.EventReply, Probe: 1, TTL: 64, RTT: time.Duration(100+i) * time.Microsecond})
		set.add(s)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(set)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	var size int
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/scrape")
}

// BenchmarkPathProbe is what one path probe costs the exporter: its
// send and its answer through the per-TTL children of a 10-hop path,
// and a tenth of a round's end (path comparison, responder windows).
func BenchmarkPathProbe(b *testing.B) {
	s := newPathSeries(prometheus.Labels{"target": "a", "ip": "10.0.0.9", "method": "icmp"}, &Config{RTTBuckets: defaultBuckets, NativeFactor: 1.1}, 30)
	dst := netip.MustParseAddr("10.0.0.9")
	var routers [10]netip.Addr
	for i := range routers {
		routers[i] = netip.AddrFrom4([4]byte{10, 0, byte(i), 1})
	}
	routers[9] = dst
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		round, ttl := int64(i/10+1), i%10+1
		p := trace.MonitorProbe{Round: round, TTL: ttl, Answered: true, From: routers[ttl-1],
			RTT: time.Duration(100+i%1000) * time.Microsecond, Reached: ttl == 10, Final: ttl == 10}
		s.sent(p)
		s.settled(p)
		if ttl == 10 {
			s.round(int(round))
		}
	}
}
