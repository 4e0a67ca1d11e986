package trace

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/rawkit/rawkit/icmp/icmptest"
)

// TestPathEngineFragments: probes larger than the local MTU go out as
// fragments, all of one probe in one write, and the first fragment's
// time exceeded answers the probe (the fake routers quote whatever they
// get; only the first fragment's quote names a probe). Before, the
// whole 3000-byte packet went to the socket, which the kernel refuses
// (EMSGSIZE).
func TestPathEngineFragments(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		f := newFakePath(t, 2)
		if v6 {
			f = newFakePath6(t, 2)
		}
		p := f.path(&Config{MaxTTL: 1, Queries: 2, Length: 3000})
		send := p.send.(*icmptest.Conn)
		hops, sum, err := runPath(p)
		if err != nil || len(hops) != 1 || sum.Sent != 2 {
			t.Fatalf("v6=%v: %v, %d hops, %d sent; want 1 hop of 2 probes", v6, err, len(hops), sum.Sent)
		}
		for _, r := range hops[0].Probes {
			if !r.Answered || r.From != f.routers[0] || r.Size != 3000 {
				t.Errorf("v6=%v: probe %+v; want answered by %v", v6, r, f.routers[0])
			}
		}
		var lens []int
		for _, pk := range send.Sent() {
			lens = append(lens, len(pk.Data))
			if !v6 && binary.BigEndian.Uint16(pk.Data[6:])&flagDF != 0 {
				t.Errorf("v4 fragment with DF")
			}
		}
		want := []int{1500, 1500, 40, 1500, 1500, 40}
		if v6 {
			want = []int{1496, 1496, 112, 1496, 1496, 112}
		}
		if len(lens) != len(want) || lens[0] != want[0] || lens[2] != want[2] || lens[5] != want[5] {
			t.Errorf("v6=%v: wrote packets of %v bytes, want %v", v6, lens, want)
		}
	}
}

// TestPathEngineRefusesDF: with DontFragment (traceroute -F) a probe
// larger than the local MTU is not sent; it is answered at once as
// refused with that MTU (!F-1500), which ends the trace at its hop.
func TestPathEngineRefusesDF(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		f := newFakePath(t, 3)
		if v6 {
			f = newFakePath6(t, 3)
		}
		p := f.path(&Config{Length: 3000, DontFragment: true})
		send := p.send.(*icmptest.Conn)
		hops, sum, err := runPath(p)
		if err != nil || len(hops) != 1 || sum.Reached || sum.Answered != 3 {
			t.Fatalf("v6=%v: %v, %d hops, %+v; want 1 hop of 3 refused probes", v6, err, len(hops), sum)
		}
		for _, r := range hops[0].Probes {
			if !r.Answered || !r.Local || !r.TooBig() || r.NextMTU != 1500 || !r.Final || r.From.IsValid() {
				t.Errorf("v6=%v: probe %+v; want refused locally, MTU 1500", v6, r)
			}
		}
		if n := len(send.Sent()); n != 0 {
			t.Errorf("v6=%v: %d packets written, want none", v6, n)
		}
	}
}

// TestPathEngineFragmentsToPathMTU: fragments fit the route's MTU
// (IP_MTU) where it is below the interface's, as the kernel fragments
// traceroute's probes; with DF a probe between the two goes out whole,
// for the router on the narrow link to answer.
func TestPathEngineFragmentsToPathMTU(t *testing.T) {
	for _, df := range []bool{false, true} {
		f := newFakePath(t, 2)
		p := f.path(&Config{MaxTTL: 1, Queries: 1, Length: 1400, DontFragment: df})
		p.pathMTU = 1280
		send := p.send.(*icmptest.Conn)
		if _, _, err := runPath(p); err != nil {
			t.Fatal(err)
		}
		var lens []int
		for _, pk := range send.Sent() {
			lens = append(lens, len(pk.Data))
		}
		want := "[1276 144]" // 20 + 1256 (157 × 8), then 20 + 124
		if df {
			want = "[1400]"
		}
		if fmt.Sprint(lens) != want {
			t.Errorf("DF %v: wrote packets of %v bytes, want %s", df, lens, want)
		}
	}
}
