package exporter

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/trace"
)

// TestNoTTLBeforeReply: a target with no reply yet has no TTL series
// (a 0 would read as a TTL).
func TestNoTTLBeforeReply(t *testing.T) {
	t.Parallel()
	s := newSeries(prometheus.Labels{"target": "a", "ip": "127.0.0.1"}, &Config{RTTBuckets: defaultBuckets, NativeFactor: 1.1})
	set := newSeriesSet()
	set.add(s)
	hasTTL := func() bool {
		var b bytes.Buffer
		if err := writeMetrics(&b, expfmt.FmtText, nil, set.list()); err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b.Bytes(), []byte("\nrawkit_ping_reply_ttl{"))
	}
	s.handle(&echo.Event{Kind: echo.EventSent, Probe: 1})
	s.handle(&echo.Event{Kind: echo.EventLost, Probe: 1})
	if hasTTL() {
		t.Error("a TTL series before any reply")
	}
	s.handle(&echo.Event{Kind: echo.EventReply, Probe: 2, TTL: 61, RTT: time.Millisecond})
	if !hasTTL() {
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

// scrapeSet10k is 10,000 targets with a few hundred replies each
// spread over a decade of RTTs, so that classic and native buckets are
// held as a day of probing holds them.
func scrapeSet10k() *seriesSet {
	set := newSeriesSet()
	cfg := &Config{RTTBuckets: defaultBuckets, NativeFactor: defaultNativeFactor}
	for i := range 10000 {
		s := newSeries(prometheus.Labels{"target": fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "ip": "10.0.0.1", "site": "fra1"}, cfg)
		for j := range 300 {
			s.handle(&echo.Event{Kind: echo.EventSent, Probe: j})
			s.handle(&echo.Event{Kind: echo.EventReply, Probe: j, TTL: 64, RTT: time.Duration(1000+(i+j*37)%9000) * time.Microsecond})
		}
		set.add(s)
	}
	return set
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

// BenchmarkScrape10k is one scrape of 10,000 targets' series, in the
// text format and in protobuf, without HTTP or compression: its time,
// allocations, and size in bytes as a metric.
func BenchmarkScrape10k(b *testing.B) {
	set := scrapeSet10k()
	for _, f := range []struct {
		name   string
		format expfmt.Format
	}{{"text", expfmt.FmtText}, {"protobuf", expfmt.FmtProtoDelim}} {
		b.Run(f.name, func(b *testing.B) {
			var n countWriter
			b.ReportAllocs()
			for b.Loop() {
				n = 0
				if err := writeMetrics(&n, f.format, nil, set.list()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "bytes/scrape")
		})
	}
}

// BenchmarkScrape10kHTTP is a whole /metrics request for 10,000
// targets as Prometheus makes it (gzip accepted), text and protobuf.
func BenchmarkScrape10kHTTP(b *testing.B) {
	h := newMetricsHandler(prometheus.NewRegistry(), scrapeSet10k(), log.New(io.Discard, "", 0))
	for _, f := range []struct{ name, accept string }{
		{"text-gzip", "text/plain;version=0.0.4"},
		{"protobuf-gzip", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
	} {
		b.Run(f.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.Header.Set("Accept", f.accept)
			req.Header.Set("Accept-Encoding", "gzip")
			w := &discardResponse{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				w.n = 0
				h.ServeHTTP(w, req)
			}
			b.ReportMetric(float64(w.n), "bytes/scrape")
		})
	}
}

// discardResponse is an http.ResponseWriter that counts the body.
type discardResponse struct {
	h http.Header
	n int
}

func (d *discardResponse) Header() http.Header { return d.h }
func (d *discardResponse) WriteHeader(int)     {}
func (d *discardResponse) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

var _ io.Writer = new(countWriter)
