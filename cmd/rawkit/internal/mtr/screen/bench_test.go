package screen

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// BenchmarkDraw is one frame of a 30-hop path with full histories, on a
// 120x40 screen: what the screen costs per frame at most ten times a
// second. Show is left out: the simulation screen's copies every cell
// (90% of the allocations), where a terminal's writes the changed ones.
type noShow struct{ tcell.SimulationScreen }

func (noShow) Show() {}

func BenchmarkDraw(b *testing.B) {
	snap := trace.MonitorSnapshot{Target: "bench", Dst: netip.MustParseAddr("10.0.30.1"), Method: trace.MethodUDP, Flows: 1}
	for ttl := 1; ttl <= 30; ttl++ {
		hist := make([]time.Duration, 200)
		for i := range hist {
			hist[i] = time.Duration(ttl*1000+i) * time.Microsecond
		}
		r := trace.ResponderStats{Addr: netip.AddrFrom4([4]byte{10, 0, byte(ttl), 1}), Received: 200, History: hist}
		snap.Hops = append(snap.Hops, trace.HopStats{TTL: ttl, Sent: 200, Responders: []trace.ResponderStats{r},
			All: r, Latest: r.Addr, History: hist})
	}
	for mode, name := range []string{"stats", "blockmap", "stripchart", "sparkline"} {
		b.Run(name, func(b *testing.B) {
			scr := tcell.NewSimulationScreen("UTF-8")
			if err := scr.Init(); err != nil {
				b.Fatal(err)
			}
			defer scr.Fini()
			scr.SetSize(120, 40)
			s := newState(&Config{Hostname: "bench", DisplayMode: mode})
			s.snaps = []trace.MonitorSnapshot{snap}
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				s.draw(noShow{scr}, now)
			}
		})
	}
}
