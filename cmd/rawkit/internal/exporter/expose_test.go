package exporter

import (
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

// referenceCollector exposes a seriesSet the way client_golang would:
// a counter, gauge or histogram per sample with the labels as constant
// labels, gathered and sorted by a Registry. The exposition must write
// what the Registry and expfmt's encoders write from it.
type referenceCollector struct{ list []*series }

func (referenceCollector) Describe(chan<- *prometheus.Desc) {}

func (c referenceCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(name, help string, l *seriesLabels, v uint64, created time.Time) {
		d := prometheus.NewDesc(name, help, nil, l.labels())
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(d, prometheus.CounterValue, float64(v), created)
	}
	for _, s := range c.list {
		counter("rawkit_ping_requests_total", helpRequests, s.lbl, s.requests.Load(), s.created)
		counter("rawkit_ping_lost_total", helpLost, s.lbl, s.lost.Load(), s.created)
		counter("rawkit_ping_late_replies_total", helpLate, s.lbl, s.late.Load(), s.created)
		counter("rawkit_ping_duplicates_total", helpDups, s.lbl, s.dups.Load(), s.created)
		counter("rawkit_ping_send_errors_total", helpSendErrs, s.lbl, s.sendErrs.Load(), s.created)
		for _, e := range s.icmpCounters() {
			counter("rawkit_ping_icmp_errors_total", helpICMP, e.lbl, e.n.Load(), e.created)
		}
		if ttl := s.ttl.Load(); ttl >= 0 {
			ch <- prometheus.MustNewConstMetric(prometheus.NewDesc("rawkit_ping_reply_ttl", helpTTL, nil, s.lbl.labels()), prometheus.GaugeValue, float64(ttl))
		}
		ch <- labelledHistogram{s}
	}
}

// labelledHistogram is a target's histogram with its labels.
type labelledHistogram struct{ s *series }

func (h labelledHistogram) Desc() *prometheus.Desc {
	return prometheus.NewDesc("rawkit_ping_rtt_seconds", helpRTT, nil, h.s.lbl.labels())
}

func (h labelledHistogram) Write(m *dto.Metric) error {
	m.Histogram = &dto.Histogram{}
	h.s.rtt.write(m.Histogram)
	for i, n := range h.s.lbl.names {
		m.Label = append(m.Label, &dto.LabelPair{Name: proto.String(n), Value: proto.String(h.s.lbl.values[i])})
	}
	return nil
}

// exposeSet is targets of two label sets (one sorting after "type"),
// with label values the text format must escape, and every kind of
// event: replies over several buckets, losses, late replies,
// duplicates, ICMP errors of two types, send errors, and a target with
// no reply at all.
func exposeSet(t *testing.T) *seriesSet {
	set := newSeriesSet()
	cfg := &Config{RTTBuckets: []float64{0.001, 0.01, 0.1}, NativeFactor: 1.1}
	labels := []prometheus.Labels{
		{"target": "b.example", "ip": "192.0.2.2", "site": "fra1"},
		{"target": "a.example", "ip": "192.0.2.1", "site": `q"uo\te` + "\nd"},
		{"target": "192.0.2.0/30", "ip": "192.0.2.1", "zone": "z"},
		{"target": "192.0.2.0/30", "ip": "192.0.2.2", "zone": "z"},
		{"target": "silent", "ip": "198.51.100.1", "site": "fra1"},
	}
	for i, l := range labels {
		s := newSeries(l, cfg)
		set.add(s)
		if l["target"] == "silent" {
			s.handle(&echo.Event{Kind: echo.EventSent})
			continue
		}
		for j := range 50 + i {
			s.handle(&echo.Event{Kind: echo.EventSent, Probe: j})
			switch j % 10 {
			case 0:
				s.handle(&echo.Event{Kind: echo.EventLost, Probe: j})
			case 1:
				s.handle(&echo.Event{Kind: echo.EventReply, Probe: j, Late: true})
			case 2:
				s.handle(&echo.Event{Kind: echo.EventError, Probe: j, ICMP: icmp.Error{Type: icmp.TypeDestUnreach, Code: 1}})
			case 3:
				s.handle(&echo.Event{Kind: echo.EventSendError, Probe: j})
			default:
				s.handle(&echo.Event{Kind: echo.EventReply, Probe: j, TTL: 60 + i, RTT: time.Duration(j*j*j) * 3 * time.Microsecond})
				s.handle(&echo.Event{Kind: echo.EventDuplicate, Probe: j})
			}
		}
		if i%2 == 0 {
			s.handle(&echo.Event{Kind: echo.EventError, ICMP: icmp.Error{Type: icmp.TypeTimeExceeded}})
		}
	}
	return set
}

// ownRegistry stands in for the exporter's own metrics, whose families
// sort before, between and after the series'.
func ownRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	for _, n := range []string{"a_first", "rawkit_ping_m_between", "zz_last"} {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: n, Help: "help of " + n})
		g.Set(2.5)
		reg.MustRegister(g)
	}
	return reg
}

// TestExpositionMatchesRegistry: the text and protobuf the exposition
// writes are what client_golang's Registry and expfmt's encoders write
// for the same samples: the text byte for byte, the protobuf message
// for message.
func TestExpositionMatchesRegistry(t *testing.T) {
	t.Parallel()
	set := exposeSet(t)
	own := ownRegistry()
	ref := ownRegistry()
	ref.MustRegister(referenceCollector{set.list()})
	for _, format := range []expfmt.Format{expfmt.FmtText, expfmt.FmtProtoDelim} {
		mfs, err := own.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var got, want bytes.Buffer
		if err := writeMetrics(&got, format, mfs, set.list()); err != nil {
			t.Fatal(err)
		}
		refs, err := ref.Gather()
		if err != nil {
			t.Fatal(err)
		}
		enc := expfmt.NewEncoder(&want, format)
		for _, mf := range refs {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		if format == expfmt.FmtText {
			if got.String() != want.String() {
				t.Errorf("text exposition differs from expfmt's:\n%s", lineDiff(got.String(), want.String()))
			}
			for _, s := range []string{`le="0.001"`, `le="+Inf"`, `site="q\"uo\\te\nd"`, `type="destination-unreachable"`, `rawkit_ping_reply_ttl{`} {
				if !strings.Contains(got.String(), s) {
					t.Errorf("no %s in the text exposition", s)
				}
			}
			continue
		}
		gotFams, wantFams := decodeAll(t, &got, format), decodeAll(t, &want, format)
		if len(gotFams) != len(wantFams) {
			t.Fatalf("%d protobuf families, want %d", len(gotFams), len(wantFams))
		}
		for i := range gotFams {
			if !proto.Equal(gotFams[i], wantFams[i]) {
				t.Errorf("protobuf family %d:\n got %v\nwant %v", i, gotFams[i], wantFams[i])
			}
		}
		if h := find(toMap(gotFams), "rawkit_ping_rtt_seconds", map[string]string{"target": "b.example"}).GetHistogram(); h.GetSchema() != 3 || len(h.GetPositiveSpan()) == 0 || len(h.GetBucket()) != 3 {
			t.Errorf("no native and classic buckets in protobuf: %v", h)
		}
	}
}

func decodeAll(t *testing.T, r io.Reader, format expfmt.Format) []*dto.MetricFamily {
	t.Helper()
	dec := expfmt.NewDecoder(r, format)
	var out []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, mf)
	}
}

func toMap(fams []*dto.MetricFamily) map[string]*dto.MetricFamily {
	m := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		m[f.GetName()] = f
	}
	return m
}

// lineDiff shows the first lines where a and b differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\nwant " + bl[i]
		}
	}
	return "lengths differ"
}

// TestMetricsHandler: the content negotiation and compression of
// /metrics, and an empty exposition (no targets) that is still valid.
func TestMetricsHandler(t *testing.T) {
	t.Parallel()
	h := newMetricsHandler(ownRegistry(), exposeSet(t), log.New(io.Discard, "", 0))
	empty := newMetricsHandler(ownRegistry(), newSeriesSet(), log.New(io.Discard, "", 0))
	for _, c := range []struct {
		name, accept, encoding string
		h                      http.Handler
		wantType               expfmt.FormatType
		gzip                   bool
	}{
		{"default", "", "", h, expfmt.TypeTextPlain, false},
		{"protobuf", `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.3`, "gzip", h, expfmt.TypeProtoDelim, true},
		{"openmetrics falls back to text", `application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`, "gzip;q=0, identity", h, expfmt.TypeTextPlain, false},
		{"no targets", "", "GZIP", empty, expfmt.TypeTextPlain, true},
	} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Header.Set("Accept", c.accept)
		req.Header.Set("Accept-Encoding", c.encoding)
		w := httptest.NewRecorder()
		c.h.ServeHTTP(w, req)
		format := expfmt.Format(w.Header().Get("Content-Type"))
		if w.Code != 200 || format.FormatType() != c.wantType || (w.Header().Get("Content-Encoding") == "gzip") != c.gzip {
			t.Errorf("%s: %d, %q, encoding %q", c.name, w.Code, format, w.Header().Get("Content-Encoding"))
			continue
		}
		var body io.Reader = w.Body
		if c.gzip {
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			body = zr
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// The text decoder returns families in no order: the order is
		// read from the TYPE lines.
		names := []string{}
		for _, f := range decodeAll(t, bytes.NewReader(raw), format) {
			names = append(names, f.GetName())
		}
		if c.wantType == expfmt.TypeTextPlain {
			names = names[:0]
			for l := range strings.Lines(string(raw)) {
				if n, ok := strings.CutPrefix(l, "# TYPE "); ok {
					names = append(names, strings.Fields(n)[0])
				}
			}
		}
		if !slices.IsSorted(names) || !slices.Contains(names, "a_first") || !slices.Contains(names, "zz_last") || slices.Contains(names, "rawkit_ping_requests_total") != (c.h == h) {
			t.Errorf("%s: families %v", c.name, names)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]bool{
		"": false, "gzip": true, "deflate, gzip;q=1.0, *;q=0.5": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"gzip;q=0.001": true, "identity": false, "x-gzip": false, " GZip ": true, "gzip;q=bad": false,
	} {
		if acceptsGzip(h) != want {
			t.Errorf("acceptsGzip(%q) = %v", h, !want)
		}
	}
}
