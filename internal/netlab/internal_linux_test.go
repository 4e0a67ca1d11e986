//go:build linux

package netlab

import (
	"math"
	"strings"
	"testing"
)

func TestNamePID(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"rk-123-4-client", 123, true},
		{"rk-9-1-a", 9, true},
		{"rk-lab-client", 0, false},
		{"rk-0-1-a", 0, false},
		{"other-123-4", 0, false},
		{"rk-123", 0, false},
	} {
		pid, ok := namePID(tc.name)
		if pid != tc.pid || ok != tc.ok {
			t.Errorf("namePID(%q) = %d, %v; want %d, %v", tc.name, pid, ok, tc.pid, tc.ok)
		}
	}
}

func TestLossSpec(t *testing.T) {
	spec, err := lossSpec("-o", "eth1", 20)
	if err != nil || strings.Join(spec, " ") != "-o eth1 -m statistic --mode random --probability 0.200000 -j DROP" {
		t.Fatalf("lossSpec(20) = %q, %v", spec, err)
	}
	for _, bad := range []float64{0, -5, 100.5, math.NaN()} {
		if _, err := lossSpec("-o", "eth1", bad); err == nil {
			t.Errorf("lossSpec(%v) accepted", bad)
		}
	}
}
