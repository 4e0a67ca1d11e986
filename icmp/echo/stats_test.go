package echo

import (
	"fmt"
	"testing"
	"time"
)

// The figures iputils printed for three replies of 227, 47 and 71 µs:
// rtt min/avg/max/mdev = 0.047/0.115/0.227/0.079 ms.
func TestStatsMatchIputils(t *testing.T) {
	var s Stats
	for _, us := range []int{227, 47, 71} {
		s.sample(time.Duration(us)*time.Microsecond + 999) // sub-µs parts are truncated
	}
	got := fmt.Sprint(s.Min(), s.Avg(), s.Max(), s.MDev())
	if want := "47µs 115µs 227µs 79µs"; got != want {
		t.Errorf("min avg max mdev = %s, want %s", got, want)
	}
}

func TestStatsAdd(t *testing.T) {
	var a, b Stats
	a.Transmitted, a.Received = 2, 2
	a.sample(10 * time.Microsecond)
	a.sample(30 * time.Microsecond)
	b.Transmitted, b.Lost = 1, 1
	b.sample(5 * time.Microsecond)
	s := a.Add(b)
	if s.Transmitted != 3 || s.Received != 2 || s.Lost != 1 || s.Min() != 5*time.Microsecond ||
		s.Max() != 30*time.Microsecond || s.Avg() != 15*time.Microsecond {
		t.Errorf("sum %+v", s)
	}
}

func TestLossOverEndedProbesOnly(t *testing.T) {
	s := Stats{Transmitted: 10, Received: 6, Lost: 2}
	if s.Pending() != 2 || s.Loss() != 0.25 {
		t.Errorf("pending %d loss %v", s.Pending(), s.Loss())
	}
	if (Stats{Transmitted: 3}).Loss() != 0 {
		t.Error("loss with every probe in flight")
	}
}

func ExampleStats() {
	var s Stats
	s.Transmitted, s.Received = 3, 3
	for _, rtt := range []time.Duration{227 * time.Microsecond, 47 * time.Microsecond, 71 * time.Microsecond} {
		s.sample(rtt)
	}
	fmt.Println(s.Min(), s.Avg(), s.Max(), s.MDev(), s.Loss())
	// Output: 47µs 115µs 227µs 79µs 0
}
