package filter

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture/internal/corpus"
	"golang.org/x/net/bpf"
)

// frames are the corpus packets, IPv6 extension headers included, as
// Ethernet frames.
func frames(t testing.TB) [][]byte {
	var out [][]byte
	for _, p := range append(corpus.Build(t), corpus.Ext6()...) {
		out = append(out, p.Data)
	}
	return out
}

// asLink re-frames an Ethernet frame for another link type; for
// CompileDgram's programs (kernel) it gives the network header alone.
func asLink(frame []byte, lay linkLayout) []byte {
	if len(frame) < 14 {
		return frame
	}
	out := make([]byte, lay.nh, lay.nh+len(frame)-14)
	if lay.protoOff >= 0 {
		copy(out[lay.protoOff:], frame[12:14])
	}
	return append(out, frame[14:]...)
}

// optRunner runs a program over a packet as the kernel would. A
// CompileDgram program reads the EtherType through SKF_AD_PROTOCOL, which
// Filter refuses: it is replaced by the packet's EtherType, a constant
// for the run.
type optRunner struct {
	prog  []bpf.Instruction
	dgram bool
	byET  map[uint32]*Filter
}

func (r *optRunner) run(t testing.TB, pkt []byte, wireLen int, etherType uint32) uint32 {
	if !r.dgram {
		etherType = 0
	}
	f := r.byET[etherType]
	if f == nil {
		prog := r.prog
		if r.dgram {
			prog = append([]bpf.Instruction(nil), prog...)
			for i, in := range prog {
				if in == (bpf.LoadExtension{Num: bpf.ExtProto}) {
					prog[i] = bpf.LoadConstant{Dst: bpf.RegA, Val: etherType}
				}
			}
		}
		raw, err := bpf.Assemble(prog)
		if err != nil {
			t.Fatalf("assemble: %v", err)
		}
		if f, err = load(raw, userMaxInsns); err != nil {
			t.Fatalf("load: %v\n%v", err, listing(prog))
		}
		if r.byET == nil {
			r.byET = map[uint32]*Filter{}
		}
		r.byET[etherType] = f
	}
	return f.Run(pkt, wireLen)
}

var optLinks = []struct {
	name string
	lay  linkLayout
}{
	{"EN10MB", linkLayout{protoOff: 12, nh: 14}},
	{"LINUX_SLL", linkLayout{protoOff: 14, nh: 16}},
	{"LINUX_SLL2", linkLayout{protoOff: 0, nh: 20}},
	{"RAW", linkLayout{protoOff: -1}},
	{"dgram", linkLayout{protoOff: -1, kernel: true}},
}

// sameVerdicts compiles expr with and without the optimiser for every
// link type and runs both over every frame cut at each length in cuts
// (and whole): they must return the same, and fail to compile alike.
// It returns how many programs it compared.
func sameVerdicts(t testing.TB, expr string, pkts [][]byte, cuts func(n int) []int) int {
	compared := 0
	for _, link := range optLinks {
		plain, perr := compileOpt(expr, link.lay, 0, false)
		opt, oerr := compileOpt(expr, link.lay, 0, true)
		if fmt.Sprint(perr) != fmt.Sprint(oerr) {
			t.Fatalf("%s %q: error %v unoptimised, %v optimised", link.name, expr, perr, oerr)
		}
		if perr != nil {
			continue
		}
		compared++
		if len(opt) > len(plain) {
			t.Errorf("%s %q: %d instructions optimised, %d not", link.name, expr, len(opt), len(plain))
		}
		a, b := &optRunner{prog: plain, dgram: link.lay.kernel}, &optRunner{prog: opt, dgram: link.lay.kernel}
		for _, frame := range pkts {
			var et uint32
			if len(frame) >= 14 {
				et = uint32(frame[12])<<8 | uint32(frame[13])
			}
			pkt := asLink(frame, link.lay)
			for _, n := range append(cuts(len(pkt)), len(pkt)) {
				if n > len(pkt) {
					continue
				}
				if x, y := a.run(t, pkt[:n], len(pkt), et), b.run(t, pkt[:n], len(pkt), et); x != y {
					t.Fatalf("%s %q on % x (%d of %d bytes): %d unoptimised, %d optimised\nunoptimised:\n%v\noptimised:\n%v",
						link.name, expr, pkt[:n], n, len(pkt), x, y, listing(plain), listing(opt))
				}
			}
		}
	}
	return compared
}

func listing(prog []bpf.Instruction) string {
	var b strings.Builder
	for i, in := range prog {
		fmt.Fprintf(&b, "(%03d) %v\n", i, in)
	}
	return b.String()
}

// everyCut cuts a packet at every length up to 80 bytes: every header
// the filters read ends within them.
func everyCut(n int) []int {
	var c []int
	for i := 0; i < n && i <= 80; i++ {
		c = append(c, i)
	}
	return c
}

// headerCuts cuts a packet where headers end or fields the filters read
// start.
func headerCuts(int) []int { return []int{0, 13, 14, 20, 26, 30, 34, 38, 42, 48, 54, 58, 62, 66, 74} }

// TestOptimiserKeepsVerdicts: on every corpus expression and link type,
// the optimised program gives every corpus packet, whole and truncated
// at each length, what the unoptimised one gives it.
func TestOptimiserKeepsVerdicts(t *testing.T) {
	t.Parallel()
	pkts := frames(t)
	cuts := everyCut
	if raceEnabled {
		cuts = headerCuts
	}
	n := 0
	for _, expr := range corpus.Filters() {
		n += sameVerdicts(t, expr, pkts, cuts)
	}
	t.Logf("%d programs agree", n)
}

// randomFilter builds an expression from the corpus primitives with
// "and", "or", "not" and parentheses, to depth d.
func randomFilter(r *rand.Rand, prims []string, d int) string {
	if d == 0 || r.IntN(3) == 0 {
		return prims[r.IntN(len(prims))]
	}
	switch r.IntN(5) {
	case 0:
		return "not " + randomFilter(r, prims, d-1)
	case 1, 2:
		return "(" + randomFilter(r, prims, d-1) + " and " + randomFilter(r, prims, d-1) + ")"
	}
	return "(" + randomFilter(r, prims, d-1) + " or " + randomFilter(r, prims, d-1) + ")"
}

// optPrims are the primitives random filters are made of: the corpus
// expressions and repeats of them with other values, so that the same
// loads and tests come back in one filter.
func optPrims() []string {
	prims := []string{"host 10.0.0.2", "src host 10.0.0.1", "dst host 192.168.1.5", "ip6 host 2001:db8::2",
		"port 80", "port 40000", "udp port 123", "tcp dst port 22", "icmp[0] == 0", "tcp[13] & 2 != 0",
		"ether dst 02:00:00:00:00:02", "ip6 and tcp", "net 10.0.0.0/24 or net 192.168.0.0/16", "len < 100",
		// Runs of hosts and nets, which compile as groups.
		"host 10.0.0.9 or host 10.0.0.2 or 10.0.0.1", "src 10.1.2.3 or src 192.168.1.5 or src net 172.16",
		"dst host 10.9.9.9 or dst net 10.0.0.0/30 or dst host 10.0.0.1", "arp host 10.0.0.2 or arp host 10.0.0.1",
		"ip host 10.0.0.2 or ip host 10.0.0.1 or tcp or ip host 192.168.1.5 or ip host 10.0.0.9",
		"net 0.0.0.0/0 or host 10.0.0.1", "host 10.0.0.3 or net 0/0", "rarp host 10.0.0.1 or rarp src 10.0.0.2 or rarp dst 10.0.0.2",
		"src or dst host 10.0.0.2 or host 10.0.0.5 or src and dst host 10.0.0.1 or host 10.0.0.1",
		// Runs of ports.
		"port 80 or port 443 or portrange 50-60", "tcp dst port 22 or tcp dst port 80 or tcp dst portrange 8000-8080",
		"udp port 53 or udp port 123", "ip6 port 53 or ip6 port 443", "ip src port 53 or ip src port 80 or src port 123",
		"port 40000 or port 33434 or tcp port 80 or tcp port 443 or udp port 9",
		// Jumps on X, and divisions by a value that may be 0 at run time
		// (which end the program).
		"ip[8] > ip[9]", "tcp[0:2] == tcp[2:2]", "len - ip[2:2] > 14", "ip[9] == ip[9]",
		"ip[2:2] / ip[8] > 1", "ip[2:2] % (ip[9] - 1) == 0", "udp[0:2] / (udp[2:2] - 53) == 0"}
	for _, e := range corpus.Filters() {
		if e != "" {
			prims = append(prims, e)
		}
	}
	return prims
}

// TestOptimiserRandomFilters is TestOptimiserKeepsVerdicts for random
// combinations of the corpus primitives.
func TestOptimiserRandomFilters(t *testing.T) {
	t.Parallel()
	pkts := frames(t)
	prims := optPrims()
	r := rand.New(rand.NewPCG(1, 2))
	n := 300
	if raceEnabled {
		n = 60
	}
	for i := 0; i < n; i++ {
		sameVerdicts(t, randomFilter(r, prims, 4), pkts, headerCuts)
	}
}

// FuzzOptimiser: for any expression that compiles and any packet, the
// optimised program returns what the unoptimised one does, on the
// packet (whole and cut in half) and on the corpus.
func FuzzOptimiser(f *testing.F) {
	pkts := frames(f)
	for i, e := range optPrims() {
		f.Add(e, pkts[i%len(pkts)])
	}
	f.Add("host 10.0.0.1 or host 10.0.0.2 or host 10.0.0.3", pkts[0][:31])
	f.Fuzz(func(t *testing.T, expr string, pkt []byte) {
		if len(expr) > 200 {
			return
		}
		half := func(n int) []int { return []int{n / 2} }
		sameVerdicts(t, expr, append(pkts[:len(pkts):len(pkts)], pkt), half)
	})
}

// TestOptimiserKeepsFaults: a load whose value nothing reads still ends
// the program on a packet too short for it, so the optimiser keeps it
// (generated code has few such loads, so these are built by hand).
func TestOptimiserKeepsFaults(t *testing.T) {
	t.Parallel()
	build := func(deadLoadFirst bool) *asm {
		a := &asm{}
		accept, reject, second := a.newLabel(), a.newLabel(), a.newLabel()
		if deadLoadFirst {
			a.emit(bpf.LoadAbsolute{Off: 100, Size: 4})
		}
		a.emit(bpf.LoadAbsolute{Off: 12, Size: 2})
		a.jump(bpf.JumpEqual, etherIP, second, reject)
		a.place(second)
		// A dead load, then a test the first one decides.
		a.emit(bpf.LoadAbsolute{Off: 200, Size: 1}, bpf.LoadAbsolute{Off: 12, Size: 2})
		a.jump(bpf.JumpEqual, etherIP, accept, reject)
		a.place(accept)
		a.emit(bpf.RetConstant{Val: 1})
		a.place(reject)
		a.emit(bpf.RetConstant{Val: 0})
		return a
	}
	for _, first := range []bool{true, false} {
		plain, err := build(first).resolve()
		if err != nil {
			t.Fatal(err)
		}
		opt, err := optimize(build(first)).resolve()
		if err != nil {
			t.Fatal(err)
		}
		a, b := &optRunner{prog: plain}, &optRunner{prog: opt}
		frame := make([]byte, 300)
		frame[12] = 0x08
		for _, n := range []int{14, 101, 104, 201, 300} {
			if x, y := a.run(t, frame[:n], 300, 0), b.run(t, frame[:n], 300, 0); x != y {
				t.Errorf("%d bytes: %d unoptimised, %d optimised\n%v", n, x, y, listing(opt))
			}
		}
	}
}

// TestGroupedErrorsUnchanged: a bad value inside a run of hosts or ports
// gives the error, and the position, it gives without grouping.
func TestGroupedErrorsUnchanged(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		"host 10.0.0.1 or host 10.0.0.300", "host 10.0.0.1 or host foo or host 10.0.0.2",
		"net 10.0.0.0/8 or net 10.0.0.1/8", "src 10.0.0.1 or src net 10.0.0.0/33",
		"port 80 or port 70000", "port 80 or portrange 5-", "tcp port 80 or tcp port http-alt",
		"dst port 53 or dst portrange 1-65536",
	} {
		lay := linkLayout{protoOff: 12, nh: 14}
		_, perr := compileOpt(expr, lay, 0, false)
		_, oerr := compileOpt(expr, lay, 0, true)
		if perr == nil || fmt.Sprint(perr) != fmt.Sprint(oerr) {
			t.Errorf("%q: %v without grouping, %v with", expr, perr, oerr)
		}
	}
}
