package exporter

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// TestRTTHistogramMatchesClientGolang: for the same observations, the
// histogram writes what client_golang's Histogram writes (with the
// settings the exporter used with it): classic buckets, count, sum,
// schema, zero bucket, spans and deltas, through the reductions of
// resolution that the bound on the number of native buckets forces.
func TestRTTHistogramMatchesClientGolang(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		buckets []float64
		factor  float64
		values  func(r *rand.Rand, i int) float64
	}{
		{"rtts", defaultBuckets, 1.1, func(r *rand.Rand, _ int) float64 { return 0.0005 + r.ExpFloat64()*0.003 }},
		{"wide", defaultBuckets, 1.1, wideValue},
		{"finest schema", []float64{0.001, 0.01, 0.1, math.Inf(1)}, 1.0001, wideValue},
		{"coarse schema", []float64{0.5}, 300, wideValue},
		{"schema 0", []float64{0.5}, 2, wideValue},
		{"classic only", []float64{0.001, 0.01}, 0, wideValue},
		{"bounds", defaultBuckets, 1.1, func(r *rand.Rand, i int) float64 {
			// Exactly on native and classic bounds, where ≤ matters.
			if i%2 == 0 {
				return defaultBuckets[r.IntN(len(defaultBuckets))]
			}
			b := nativeBounds[3]
			return math.Ldexp(b[r.IntN(len(b))], r.IntN(30)-25)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			own := newRTTHistogram(c.buckets, c.factor)
			ref := prometheus.NewHistogram(prometheus.HistogramOpts{
				Name: "h", Help: "h", Buckets: c.buckets,
				NativeHistogramBucketFactor: c.factor, NativeHistogramZeroThreshold: nativeZeroThreshold, NativeHistogramMaxBucketNumber: nativeMaxBuckets,
			})
			for i := range 5000 {
				v := c.values(r, i)
				own.observe(v)
				ref.Observe(v)
				if i%499 == 0 || i == 4999 {
					compareHistograms(t, i+1, own, ref)
				}
			}
		})
	}
}

// wideValue spans 2^-40 to 2^6 seconds (forcing lower resolutions),
// with zeros, values inside the zero bucket, and negative ones.
func wideValue(r *rand.Rand, i int) float64 {
	switch i % 50 {
	case 0:
		return 0
	case 1:
		return nativeZeroThreshold * r.Float64()
	case 2:
		return -math.Ldexp(1+r.Float64(), r.IntN(20)-20)
	}
	return math.Ldexp(1+r.Float64(), r.IntN(46)-40)
}

func compareHistograms(t *testing.T, n int, own *rttHistogram, ref prometheus.Histogram) {
	t.Helper()
	want := &dto.Metric{}
	if err := ref.Write(want); err != nil {
		t.Fatal(err)
	}
	got := &dto.Histogram{}
	own.write(got)
	w := want.GetHistogram()
	// The sums add the same values in another order.
	if g, x := got.GetSampleSum(), w.GetSampleSum(); math.Abs(g-x) > 1e-9*math.Abs(x) {
		t.Fatalf("after %d: sum %v, want %v", n, g, x)
	}
	got.SampleSum, got.CreatedTimestamp = w.SampleSum, w.CreatedTimestamp
	if !proto.Equal(got, w) {
		t.Fatalf("after %d observations:\n got %v\nwant %v", n, got, w)
	}
	// The protobuf encoding is that message.
	dec := &dto.Histogram{}
	if err := proto.Unmarshal(own.appendProto(nil), dec); err != nil {
		t.Fatal(err)
	}
	dec.SampleSum, dec.CreatedTimestamp = w.SampleSum, w.CreatedTimestamp
	if !proto.Equal(dec, w) {
		t.Fatalf("after %d observations, protobuf:\n got %v\nwant %v", n, dec, w)
	}
	if n > 1000 && own.native && len(w.GetPositiveSpan()) == 0 {
		t.Fatal("no native buckets")
	}
}

// BenchmarkRTTObserve is one observation, client_golang's Histogram's
// and this one's.
func BenchmarkRTTObserve(b *testing.B) {
	own := newRTTHistogram(defaultBuckets, defaultNativeFactor)
	ref := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "h", Help: "h", Buckets: defaultBuckets,
		NativeHistogramBucketFactor: defaultNativeFactor, NativeHistogramZeroThreshold: nativeZeroThreshold, NativeHistogramMaxBucketNumber: nativeMaxBuckets,
	})
	b.Run("rawkit", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			own.observe(float64(100+i%1000) * 1e-6)
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			ref.Observe(float64(100+i%1000) * 1e-6)
		}
	})
}
