package trace_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
)

// MonitorStats rebuilds a monitor's statistics from its probes, as a
// replay of a recording does: here two rounds over a two-hop path whose
// first router answered only once.
func ExampleMonitorStats() {
	router, dst := netip.MustParseAddr("10.0.1.2"), netip.MustParseAddr("10.0.2.2")
	s := trace.NewMonitorStats(trace.MonitorStatsConfig{Dst: dst, Method: trace.MethodICMP})
	for round, rtt := range []time.Duration{10 * time.Millisecond, 12500 * time.Microsecond} {
		s.Add(trace.MonitorProbe{Round: int64(round + 1), TTL: 1, Answered: round == 0, From: router,
			RTT: rtt / 2, Type: 11, QuotedTOS: 0})
		s.Add(trace.MonitorProbe{Round: int64(round + 1), TTL: 2, Answered: true, From: dst, RTT: rtt,
			Type: 0, QuotedTOS: -1, Reached: true, Final: true})
		s.RoundDone(time.Time{})
	}
	snap := s.Snapshot()
	for _, h := range snap.Hops {
		fmt.Printf("%d %v loss %.0f%% avg %v stdev %v rate limited %v\n",
			h.TTL, h.Latest, h.Loss(), h.All.Avg, h.All.StDev, h.RateLimited)
	}
	// Output:
	// 1 10.0.1.2 loss 50% avg 5ms stdev 0s rate limited true
	// 2 10.0.2.2 loss 0% avg 11.25ms stdev 1.767ms rate limited false
}
