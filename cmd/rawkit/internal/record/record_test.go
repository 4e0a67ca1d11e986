package record

import (
	"testing"
	"time"
)

// TestMs: milliseconds keep microseconds and drop what is below.
func TestMs(t *testing.T) {
	t.Parallel()
	if got := Ms(1234567 * time.Nanosecond); got != 1.234 {
		t.Errorf("Ms(1.234567ms) = %v, want 1.234", got)
	}
	if p := Ptr(0); p == nil || *p != 0 {
		t.Errorf("Ptr(0) = %v", p)
	}
}
