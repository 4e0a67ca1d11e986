package exporter

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/encoding/protowire"
)

// seriesLabels are the labels of one target's series, sorted by name as
// the Registry sorts them, and encoded once for both exposition formats,
// so that a scrape copies bytes rather than escaping and encoding 10,000
// targets' labels again for every sample.
type seriesLabels struct {
	names, values []string
	// text is `name="value",...` escaped as the text format wants
	// (backslash, double quote and newline), without the braces.
	text string
	// pb is the labels as the LabelPair fields (1) of a
	// io.prometheus.client.Metric message.
	pb []byte
}

func newSeriesLabels(l prometheus.Labels) *seriesLabels {
	sl := &seriesLabels{names: slices.Sorted(maps.Keys(l))}
	var text strings.Builder
	for i, n := range sl.names {
		v := l[n]
		sl.values = append(sl.values, v)
		if i > 0 {
			text.WriteByte(',')
		}
		text.WriteString(n)
		text.WriteString(`="`)
		labelValueEscaper.WriteString(&text, v)
		text.WriteByte('"')
		var pair []byte
		pair = protowire.AppendTag(pair, 1, protowire.BytesType)
		pair = protowire.AppendString(pair, n)
		pair = protowire.AppendTag(pair, 2, protowire.BytesType)
		pair = protowire.AppendString(pair, v)
		sl.pb = protowire.AppendTag(sl.pb, 1, protowire.BytesType)
		sl.pb = protowire.AppendBytes(sl.pb, pair)
	}
	sl.text = text.String()
	return sl
}

// labelValueEscaper escapes a label value for the text format
// (expfmt's, and the exposition format's specification).
var labelValueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

// labels returns a copy of the labels as a map.
func (sl *seriesLabels) labels() prometheus.Labels {
	l := make(prometheus.Labels, len(sl.names))
	for i, n := range sl.names {
		l[n] = sl.values[i]
	}
	return l
}

// compare orders series as client_golang's Registry orders the samples
// of a family (internal.MetricSorter): fewer labels first, then by the
// label values in the order of the sorted names.
func (sl *seriesLabels) compare(o *seriesLabels) int {
	if c := cmp.Compare(len(sl.values), len(o.values)); c != 0 {
		return c
	}
	for i, v := range sl.values {
		if c := strings.Compare(v, o.values[i]); c != 0 {
			return c
		}
	}
	return 0
}
