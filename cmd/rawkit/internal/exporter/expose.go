package exporter

import (
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protowire"
)

// The targets' series are written by this exposition rather than
// gathered through a prometheus.Registry: a Registry builds the whole
// scrape as a tree of protobuf messages (at 10,000 targets, a million
// objects and some 125 MB allocated per scrape, most of its CPU spent
// building, checking and sorting that tree), where this writes each
// sample from the counters as it goes, with the labels encoded once per
// target. The output is what promhttp writes for the same values, in the
// text format 0.0.4 and in delimited protobuf (expose_test.go checks
// both against expfmt's encoders); the exporter's own metrics and the Go
// and process collectors still come from a Registry and its encoders.

// seriesFamily is one metric name of the targets' series.
type seriesFamily struct {
	name, help string
	typ        dto.MetricType
	// write writes the family's samples of s, if it has any.
	write func(e *exposer, s *series)
}

// seriesFamilies are sorted by name, as a Registry sorts families.
var seriesFamilies = sortedFamilies([]seriesFamily{
	{"rawkit_ping_requests_total", helpRequests, dto.MetricType_COUNTER, func(e *exposer, s *series) {
		e.counter(s.lbl, s.requests.Load(), s.created)
	}},
	{"rawkit_ping_rtt_seconds", helpRTT, dto.MetricType_HISTOGRAM, func(e *exposer, s *series) {
		e.histogram(s)
	}},
	{"rawkit_ping_lost_total", helpLost, dto.MetricType_COUNTER, func(e *exposer, s *series) {
		e.counter(s.lbl, s.lost.Load(), s.created)
	}},
	{"rawkit_ping_late_replies_total", helpLate, dto.MetricType_COUNTER, func(e *exposer, s *series) {
		e.counter(s.lbl, s.late.Load(), s.created)
	}},
	{"rawkit_ping_duplicates_total", helpDups, dto.MetricType_COUNTER, func(e *exposer, s *series) {
		e.counter(s.lbl, s.dups.Load(), s.created)
	}},
	{"rawkit_ping_send_errors_total", helpSendErrs, dto.MetricType_COUNTER, func(e *exposer, s *series) {
		e.counter(s.lbl, s.sendErrs.Load(), s.created)
	}},
	{"rawkit_ping_reply_ttl", helpTTL, dto.MetricType_GAUGE, func(e *exposer, s *series) {
		if ttl := s.ttl.Load(); ttl >= 0 {
			e.gauge(s.lbl, float64(ttl))
		}
	}},
	// rawkit_ping_icmp_errors_total has its own loop (icmpErrors):
	// its samples, one per target and type, sort on the type too.
	{"rawkit_ping_icmp_errors_total", helpICMP, dto.MetricType_COUNTER, nil},
})

func sortedFamilies(f []seriesFamily) []seriesFamily {
	slices.SortFunc(f, func(a, b seriesFamily) int { return strings.Compare(a.name, b.name) })
	return f
}

var exposeBufs sync.Pool // of *[]byte

// flushAt is how much text the exposer gathers before writing it.
const flushAt = 32 << 10

// exposer writes families in the text format or in delimited
// protobuf, one sample at a time.
type exposer struct {
	w     io.Writer
	proto bool
	fam   *seriesFamily
	begun bool   // the family's header is written
	buf   []byte // text: lines not yet written; protobuf: the family so far
	tmp   []byte // protobuf: one message inside a metric
	err   error
}

// writeMetrics writes the Registry's families mfs (sorted by name, as
// Gather returns them) and the families of the series list merged in
// name order, in format (text or delimited protobuf).
func writeMetrics(w io.Writer, format expfmt.Format, mfs []*dto.MetricFamily, list []*series) error {
	enc := expfmt.NewEncoder(w, format)
	e := &exposer{w: w, proto: format.FormatType() == expfmt.TypeProtoDelim}
	// A protobuf family is one message of known length: the largest,
	// the histograms', takes a few MB at 10,000 targets. The buffer is
	// kept for the next scrape rather than grown again from nothing.
	if bp, ok := exposeBufs.Get().(*[]byte); ok {
		e.buf = (*bp)[:0]
	}
	defer func() { exposeBufs.Put(&e.buf) }()
	for i := range seriesFamilies {
		f := &seriesFamilies[i]
		for len(mfs) > 0 && mfs[0].GetName() < f.name {
			if err := enc.Encode(mfs[0]); err != nil {
				return err
			}
			mfs = mfs[1:]
		}
		e.family(f, list)
		if e.err != nil {
			return e.err
		}
	}
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// family writes f's samples of every series in list; nothing at all
// if none has any (a family has at least one sample).
func (e *exposer) family(f *seriesFamily, list []*series) {
	e.fam, e.begun = f, false
	if f.write == nil {
		e.icmpErrors(list)
	} else {
		for _, s := range list {
			if e.err != nil {
				return
			}
			f.write(e, s)
		}
	}
	if e.begun {
		e.end()
	}
}

// icmpErrors writes rawkit_ping_icmp_errors_total, sorted as a Registry
// sorts it: the type label sorts among the target's labels.
func (e *exposer) icmpErrors(list []*series) {
	var all []*icmpCounter
	for _, s := range list {
		all = append(all, s.icmpCounters()...)
	}
	slices.SortFunc(all, func(a, b *icmpCounter) int { return a.lbl.compare(b.lbl) })
	for _, c := range all {
		e.counter(c.lbl, c.n.Load(), c.created)
	}
}

// begin writes the current family's header before its first sample.
func (e *exposer) begin() {
	if e.begun {
		return
	}
	e.begun = true
	f := e.fam
	if e.proto {
		e.buf = protowire.AppendTag(e.buf[:0], 1, protowire.BytesType)
		e.buf = protowire.AppendString(e.buf, f.name)
		e.buf = protowire.AppendTag(e.buf, 2, protowire.BytesType)
		e.buf = protowire.AppendString(e.buf, f.help)
		e.buf = protowire.AppendTag(e.buf, 3, protowire.VarintType)
		e.buf = protowire.AppendVarint(e.buf, uint64(f.typ))
		return
	}
	e.buf = append(e.buf, "# HELP "...)
	e.buf = append(e.buf, f.name...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, helpEscaper.Replace(f.help)...)
	e.buf = append(e.buf, "\n# TYPE "...)
	e.buf = append(e.buf, f.name...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, strings.ToLower(f.typ.String())...)
	e.buf = append(e.buf, '\n')
}

// helpEscaper escapes HELP text as expfmt does.
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

// end writes what is left of the family: a protobuf family is one
// length-delimited message, written whole.
func (e *exposer) end() {
	if e.err != nil {
		return
	}
	if e.proto {
		var n [binaryMaxVarint]byte
		if _, e.err = e.w.Write(protowire.AppendVarint(n[:0], uint64(len(e.buf)))); e.err == nil {
			_, e.err = e.w.Write(e.buf)
		}
	} else {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}

const binaryMaxVarint = 10

// flush writes the text gathered so far once there is enough of it.
func (e *exposer) flush() {
	if !e.proto && len(e.buf) >= flushAt && e.err == nil {
		_, e.err = e.w.Write(e.buf)
		e.buf = e.buf[:0]
	}
}

// sample appends one text line: name+suffix{labels[,le="le"]} v.
func (e *exposer) sample(suffix string, l *seriesLabels, le float64, withLE bool, v float64) {
	e.buf = append(e.buf, e.fam.name...)
	e.buf = append(e.buf, suffix...)
	if l.text != "" || withLE {
		e.buf = append(e.buf, '{')
		e.buf = append(e.buf, l.text...)
		if withLE {
			if l.text != "" {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `le="`...)
			e.buf = appendFloat(e.buf, le)
			e.buf = append(e.buf, '"')
		}
		e.buf = append(e.buf, '}')
	}
	e.buf = append(e.buf, ' ')
	e.buf = appendFloat(e.buf, v)
	e.buf = append(e.buf, '\n')
}

// appendFloat formats v as expfmt's text encoder does.
func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// metric appends one Metric message: l's labels and field (the value)
// holding e.tmp.
func (e *exposer) metric(l *seriesLabels, field protowire.Number) {
	n := len(l.pb) + protowire.SizeTag(field) + protowire.SizeBytes(len(e.tmp))
	e.buf = protowire.AppendTag(e.buf, 4, protowire.BytesType)
	e.buf = protowire.AppendVarint(e.buf, uint64(n))
	e.buf = append(e.buf, l.pb...)
	e.buf = protowire.AppendTag(e.buf, field, protowire.BytesType)
	e.buf = protowire.AppendBytes(e.buf, e.tmp)
}

// counter writes one counter sample, with its created timestamp in
// protobuf (as client_golang's counters carry theirs).
func (e *exposer) counter(l *seriesLabels, v uint64, created time.Time) {
	e.begin()
	if !e.proto {
		e.sample("", l, 0, false, float64(v))
		e.flush()
		return
	}
	// io.prometheus.client.Counter: value (1), created_timestamp (3).
	e.tmp = protowire.AppendTag(e.tmp[:0], 1, protowire.Fixed64Type)
	e.tmp = protowire.AppendFixed64(e.tmp, math.Float64bits(float64(v)))
	var ts [2 + 2*binaryMaxVarint]byte
	t := appendTimestamp(ts[:0], created)
	e.tmp = protowire.AppendTag(e.tmp, 3, protowire.BytesType)
	e.tmp = protowire.AppendBytes(e.tmp, t)
	e.metric(l, 3)
}

// appendTimestamp appends a google.protobuf.Timestamp message's fields.
func appendTimestamp(b []byte, t time.Time) []byte {
	if s := t.Unix(); s != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(s))
	}
	if ns := t.Nanosecond(); ns != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(ns))
	}
	return b
}

// gauge writes one gauge sample.
func (e *exposer) gauge(l *seriesLabels, v float64) {
	e.begin()
	if !e.proto {
		e.sample("", l, 0, false, v)
		e.flush()
		return
	}
	e.tmp = protowire.AppendTag(e.tmp[:0], 1, protowire.Fixed64Type)
	e.tmp = protowire.AppendFixed64(e.tmp, math.Float64bits(v))
	e.metric(l, 2)
}

// histogram writes s's RTT histogram: classic buckets, sum and count in
// text; in protobuf, also the native buckets.
func (e *exposer) histogram(s *series) {
	e.begin()
	h := s.rtt
	if e.proto {
		e.tmp = h.appendProto(e.tmp[:0])
		e.metric(s.lbl, 7)
		return
	}
	h.mu.Lock()
	var cum uint64
	for i, ub := range h.bounds {
		cum += h.counts[i]
		e.sample("_bucket", s.lbl, ub, true, float64(cum))
	}
	count, sum := float64(h.count), h.sum
	h.mu.Unlock()
	e.sample("_bucket", s.lbl, math.Inf(1), true, count)
	e.sample("_sum", s.lbl, 0, false, sum)
	e.sample("_count", s.lbl, 0, false, count)
	e.flush()
}
