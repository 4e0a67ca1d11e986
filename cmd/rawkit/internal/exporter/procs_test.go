package exporter

import (
	"slices"
	"strings"
	"testing"
)

func TestProcsFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rate     float64
		max, out int
	}{
		{0, 2, 1}, {1000, 2, 1}, {10000, 2, 1}, {19999, 2, 1}, {20000, 2, 2},
		{100000, 2, 2}, {100000, 8, 6}, {50000, 1, 1},
	} {
		if got := procsFor(c.rate, c.max); got != c.out {
			t.Errorf("procsFor(%v, %d) = %d, want %d", c.rate, c.max, got, c.out)
		}
	}
}

// TestProcsFollowTheConfiguration: the scheduler is sized to the probe
// rate of the configuration at start and again at each reload (echo
// targets at their intervals, path targets at max_ttl × flows a round).
func TestProcsFollowTheConfiguration(t *testing.T) {
	t.Parallel()
	h, _ := startPaths(t, onePath+"targets:\n  - hosts: [127.0.0.2, 127.0.0.3]\n    interval: 500ms\n")
	if got := h.procRates(); !slices.Equal(got, []float64{4 + 8}) {
		t.Errorf("rates at start %v, want [12]: 2 targets at 2/s and 8 TTLs a second", got)
	}
	h.write("config.yml", strings.Replace(onePath, "max_ttl: 8", "max_ttl: 8\n    flows: 2\n    interval: 2s", 1))
	if code, body := h.post("/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	if got := h.procRates(); !slices.Equal(got, []float64{12, 8}) {
		t.Errorf("rates after the reload %v, want [12 8]: 8 TTLs × 2 flows every 2 s", got)
	}
}
