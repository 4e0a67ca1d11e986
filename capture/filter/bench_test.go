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

// BenchmarkCompileHostList compiles a filter of 200 hosts (New: the
// user-space program, which has no length limit; the unoptimised
// program was over the kernel's).
func BenchmarkCompileHostList(b *testing.B) {
	expr := hostList(200)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := New(expr, LinkEthernet); err != nil {
			b.Fatal(err)
		}
	}
}
