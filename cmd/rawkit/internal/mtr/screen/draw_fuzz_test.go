package screen

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// FuzzDraw: any responder name (reverse DNS is written by strangers),
// field order, display mode, terminal size and history draws without a
// panic, and nothing but printable ASCII and the chart's blocks reaches
// the cells.
func FuzzDraw(f *testing.F) {
	f.Add("gw.example", "LS NABWV", uint8(120), uint8(40), uint8(0), uint8(3), []byte{1, 2, 255, 4})
	f.Add("evil\x1b[2J\u200b\u0301é漢", "DR AGJMXI", uint8(80), uint8(24), uint8(2), uint8(30), []byte{0, 0, 0})
	f.Add("", "", uint8(3), uint8(1), uint8(9), uint8(0), []byte(nil))
	f.Fuzz(func(t *testing.T, name, order string, w, h, mode, hops uint8, hist []byte) {
		snap := trace.MonitorSnapshot{Target: name, Dst: netip.MustParseAddr("192.0.2.9"), Flows: int(mode % 4), Rounds: len(hist)}
		var hd []time.Duration
		for _, b := range hist {
			d := time.Duration(b) * 997 * time.Microsecond
			if b == 255 {
				d = -1
			}
			hd = append(hd, d)
		}
		for ttl := 1; ttl <= int(hops%40); ttl++ {
			r := trace.ResponderStats{Addr: netip.AddrFrom4([4]byte{10, 0, byte(ttl), 1}), Name: name,
				Received: int(w) << 24, Flows: []int{0, 2, 3}, History: hd, Last: time.Duration(h) * time.Hour,
				MPLS: [][]trace.MPLSLabel{{{Label: 1 << 20, S: true}}}}
			hs := trace.HopStats{TTL: ttl, Sent: int(h) << 30, Lost: int(w), History: hd, All: r, Latest: r.Addr,
				RateLimited: ttl%2 == 0, NAT: ttl%3 == 0, TOSChanged: ttl%5 == 0, QuotedTOS: ttl, Unreachable: ttl == 7}
			if ttl%4 != 0 {
				hs.Responders = []trace.ResponderStats{r, r}
			}
			snap.Hops = append(snap.Hops, hs)
		}
		scr := tcell.NewSimulationScreen("UTF-8")
		if err := scr.Init(); err != nil {
			t.Fatal(err)
		}
		defer scr.Fini()
		scr.SetSize(int(w), int(h))
		s := newState(&Config{Hostname: name, Fields: order, DisplayMode: int(mode % 5), MPLS: true, Mode: name})
		s.snaps = []trace.MonitorSnapshot{snap, snap}
		s.help = mode == 200
		s.draw(scr, time.Unix(0, 0))
		cells, _, _ := scr.GetContents()
		for _, c := range cells {
			for _, r := range c.Runes {
				if (r < ' ' || r > '~') && !strings.ContainsRune(string(sparks[:]), r) {
					t.Fatalf("rune %U drawn", r)
				}
			}
		}
	})
}
