package inject

import (
	"errors"
	"math"
	"os"
	"testing"

	packetspec "github.com/rawkit/rawkit/craft/spec"
)

// TestOpenRefusesRatesThatDoNotPace: a NaN rate compared false with
// every bound, and a rate so small that the time between packets
// overflows came out as no pacing at all. Open refuses them before it
// opens a socket, so this needs no privilege.
func TestOpenRefusesRatesThatDoNotPace(t *testing.T) {
	t.Parallel()
	pkts, err := packetspec.Parse("ip(dst=127.0.0.1)/icmp()")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []float64{math.NaN(), -1, math.Inf(-1), 1e-11, 1e-300} {
		s, err := Open(pkts, &Config{Rate: r})
		if err == nil {
			s.Close()
		}
		if err == nil || errors.Is(err, os.ErrPermission) {
			t.Errorf("rate %v: %v, want the rate refused", r, err)
		}
	}
}
