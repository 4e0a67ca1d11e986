package filter

import (
	"testing"

	"github.com/rawkit/rawkit/capture/internal/corpus"
)

func BenchmarkCompile(b *testing.B) {
	exprs := corpus.Filters()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, e := range exprs {
			if _, err := Compile(e, LinkEthernet, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(exprs)), "µs/expr")
}
