package exporter

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// rttHistogram is rawkit_ping_rtt_seconds of one target: classic buckets
// and native buckets kept exactly as client_golang's Histogram keeps them
// (its schema for the bucket factor, bucket keys, zero bucket, and its
// bound on the number of buckets, reached by halving the resolution;
// hist_test.go checks the output against it observation for
// observation), but in plain memory under one mutex. client_golang's is
// lock-free for many concurrent writers, at the cost of two copies of
// every count and four sync.Maps per histogram, and a Write that
// allocates the whole dto message (at 10,000 targets, 40 MB and 700,000
// objects per scrape, three quarters of a text scrape's CPU). Here there
// is one writer, the target's handler, and a scrape reads the counts in
// place.
type rttHistogram struct {
	mu     sync.Mutex
	bounds []float64 // classic upper bounds, +Inf left out (shared)
	counts []uint64  // per classic bucket, not cumulative
	count  uint64
	sum    float64

	native bool  // native buckets kept
	schema int32 // now; lowered when there are too many buckets
	zero   uint64
	// pos and neg are the populated native buckets of positive and
	// negative observations, sorted by key.
	pos, neg []nativeBucket

	created time.Time
}

// nativeBucket is one populated native bucket: key i holds the
// observations in (2^((i-1)/2^schema), 2^(i/2^schema)].
type nativeBucket struct {
	key int
	n   uint64
}

// Native bucket settings: buckets of 1 µs and below would only hold
// loopback jitter; the bound on their number keeps a target's memory
// fixed.
const (
	nativeZeroThreshold = 1e-6
	nativeMaxBuckets    = 160
	nativeMinSchema     = -4
	nativeMaxSchema     = 8
)

func newRTTHistogram(bounds []float64, factor float64) *rttHistogram {
	if len(bounds) == 0 && factor <= 1 {
		bounds = prometheus.DefBuckets
	}
	if n := len(bounds); n > 0 && math.IsInf(bounds[n-1], 1) {
		bounds = bounds[:n-1] // the +Inf bucket is implicit
	}
	h := &rttHistogram{bounds: bounds, counts: make([]uint64, len(bounds)), created: time.Now()}
	if factor > 1 {
		h.native, h.schema = true, pickSchema(factor)
	}
	return h
}

// pickSchema returns the largest n in [-4, 8] with 2^(2^-n) ≤ factor,
// as client_golang picks it.
func pickSchema(factor float64) int32 {
	floor := math.Floor(math.Log2(math.Log2(factor)))
	switch {
	case floor <= -nativeMaxSchema:
		return nativeMaxSchema
	case floor >= -nativeMinSchema:
		return nativeMinSchema
	}
	return -int32(floor)
}

// nativeBounds[s] are the fractions (of math.Frexp) where the buckets of
// schema s > 0 begin, computed as client_golang's comment says its table
// was, which gives its table's values exactly.
var nativeBounds = func() [][]float64 {
	b := make([][]float64, nativeMaxSchema+1)
	n := 1
	for s := range b {
		bounds := []float64{0.5}
		factor := math.Exp2(math.Exp2(float64(-s)))
		for j := 0; j < n-1; j++ {
			if (j+1)%2 == 0 {
				bounds = append(bounds, b[s-1][j/2+1]) // more precise
			} else {
				bounds = append(bounds, bounds[j]*factor)
			}
		}
		n *= 2
		b[s] = bounds
	}
	return b
}()

// nativeKey returns the bucket key of v ≠ 0 in schema s.
func nativeKey(v float64, s int32) int {
	inf := math.IsInf(v, 0)
	if inf {
		v = math.MaxFloat64 // and one key above it
	}
	frac, exp := math.Frexp(math.Abs(v))
	var key int
	if s > 0 {
		bounds := nativeBounds[s]
		key = sort.SearchFloat64s(bounds, frac) + (exp-1)*len(bounds)
	} else {
		key = exp
		if frac == 0.5 {
			key--
		}
		offset := (1 << -s) - 1
		key = (key + offset) >> -s
	}
	if inf {
		key++
	}
	return key
}

// observe counts one round trip of v seconds.
func (h *rttHistogram) observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += v
	h.count++
	if !h.native || math.IsNaN(v) {
		return
	}
	switch {
	case v > nativeZeroThreshold:
		h.pos = addNative(h.pos, nativeKey(v, h.schema), 1)
	case v < -nativeZeroThreshold:
		h.neg = addNative(h.neg, nativeKey(v, h.schema), 1)
	default:
		h.zero++
	}
	if len(h.pos)+len(h.neg) > nativeMaxBuckets && h.schema > nativeMinSchema {
		// client_golang's doubleBucketWidth: bucket k of the next
		// lower schema holds buckets 2k-1 and 2k, so k becomes ⌈k/2⌉.
		h.schema--
		h.pos, h.neg = mergeNative(h.pos), mergeNative(h.neg)
	}
}

// addNative adds n to bucket key of bs (sorted by key).
func addNative(bs []nativeBucket, key int, n uint64) []nativeBucket {
	i, found := slices.BinarySearchFunc(bs, key, func(b nativeBucket, k int) int { return b.key - k })
	if found {
		bs[i].n += n
		return bs
	}
	return slices.Insert(bs, i, nativeBucket{key, n})
}

// mergeNative halves the resolution of bs in place.
func mergeNative(bs []nativeBucket) []nativeBucket {
	out := bs[:0]
	for _, b := range bs {
		k := b.key
		if k > 0 {
			k++
		}
		k /= 2 // ⌈key/2⌉: division truncates toward zero
		if n := len(out); n > 0 && out[n-1].key == k {
			out[n-1].n += b.n
		} else {
			out = append(out, nativeBucket{k, b.n})
		}
	}
	return out
}

// forSpans calls fn for each span of bs as client_golang's makeBuckets
// makes them: gaps of one or two empty buckets stay inside a span (as
// zero deltas), a longer gap starts a new span.
func forSpans(bs []nativeBucket, fn func(offset int32, length uint32)) {
	var (
		offset int32
		length uint32
		next   int
	)
	for i, b := range bs {
		gap := int32(b.key - next)
		if i == 0 || gap > 2 {
			if i > 0 {
				fn(offset, length)
			}
			offset, length = gap, 0
		} else {
			length += uint32(gap)
		}
		length++
		next = b.key + 1
	}
	if len(bs) > 0 {
		fn(offset, length)
	}
}

// forDeltas calls fn with the count of each bucket of the spans of bs
// (empty ones inside a span included) less the count before it.
func forDeltas(bs []nativeBucket, fn func(delta int64)) {
	var prev int64
	next := 0
	for i, b := range bs {
		if gap := b.key - next; i > 0 && gap <= 2 {
			for range gap {
				fn(-prev)
				prev = 0
			}
		}
		fn(int64(b.n) - prev)
		prev = int64(b.n)
		next = b.key + 1
	}
}

// write fills m as client_golang's Histogram.Write does; the exposition
// encodes the same fields without building it (expose.go), this is for
// tests and checks.
func (h *rttHistogram) write(m *dto.Histogram) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m.SampleCount = new(h.count)
	m.SampleSum = new(h.sum)
	m.CreatedTimestamp = timestamppb.New(h.created)
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		m.Bucket = append(m.Bucket, &dto.Bucket{CumulativeCount: new(cum), UpperBound: new(b)})
	}
	if !h.native {
		return
	}
	// client_golang adds an empty span to a histogram whose zero
	// threshold is 0, to mark it native; this one's is never 0.
	m.ZeroThreshold = new(float64(nativeZeroThreshold))
	m.Schema = new(h.schema)
	m.ZeroCount = new(h.zero)
	toDTO := func(bs []nativeBucket) (ss []*dto.BucketSpan, ds []int64) {
		forSpans(bs, func(offset int32, length uint32) {
			ss = append(ss, &dto.BucketSpan{Offset: new(offset), Length: new(length)})
		})
		forDeltas(bs, func(d int64) { ds = append(ds, d) })
		return ss, ds
	}
	m.NegativeSpan, m.NegativeDelta = toDTO(h.neg)
	m.PositiveSpan, m.PositiveDelta = toDTO(h.pos)
}
