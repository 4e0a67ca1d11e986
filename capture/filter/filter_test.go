package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture/internal/corpus"
	"golang.org/x/net/bpf"
)

func TestSyntaxErrorsHavePositions(t *testing.T) {
	for _, tc := range []struct {
		expr string
		pos  int // 1-based, as printed
	}{
		{"tcp prt 80", 5},
		{"port", 5},
		{"host 10.0.0.1 and", 18},
		{"ip[2:3] > 1", 6},
		{"net 10.0.0.1/8", 5},
		{"(tcp", 5},
		{"tcp port 70000", 10},
		{"host 10.0.0.256", 6},
		{"icmp[0] == ", 12},
		{"tcp[13] & 2 !! 0", 13},
		{"portrange 10", 11},
		{"udp port dns", 10},
		{"ip6 host 10.0.0.1 $", 19},
		{"ip[0] / 0 > 1", 7},
		{"ether host 1:2:3", 12},
		{"tcp and (udp or", 16},
	} {
		_, err := Compile(tc.expr, LinkEthernet, 0)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", tc.expr, err)
			continue
		}
		if se.Pos+1 != tc.pos {
			t.Errorf("%q: error %q at position %d, want %d", tc.expr, err, se.Pos+1, tc.pos)
		}
	}
}

// TestCorpusCompiles checks that every corpus expression compiles on
// every link type with a network layer, within the kernel's limits. How
// fast is measured by BenchmarkCompile and scripts/bench.sh's compile row
// (target: 1 ms per expression), not here: a wall-clock bound in a unit
// test fails on a loaded machine and proves nothing on an idle one.
func TestCorpusCompiles(t *testing.T) {
	for _, link := range []LinkType{LinkEthernet, LinkLinuxSLL, LinkLinuxSLL2, LinkRaw} {
		for _, expr := range corpus.Filters() {
			if link != LinkEthernet && (len(expr) >= 5 && expr[:5] == "ether" && expr != "ether proto 0x0806") {
				continue // MAC addresses need an Ethernet header
			}
			prog, err := Compile(expr, link, 0)
			if err != nil {
				t.Errorf("%v %q: %v", link, expr, err)
				continue
			}
			raw, err := bpf.Assemble(prog)
			if err != nil {
				t.Errorf("%v %q: assemble: %v", link, expr, err)
				continue
			}
			if _, err := Load(raw); err != nil {
				t.Errorf("%v %q: %v", link, expr, err)
			}
		}
	}
}

// TestMatchAgreesWithVM runs the corpus through Filter and through
// x/net/bpf's VM, an independent interpreter: they must agree on every
// packet for every expression.
func TestMatchAgreesWithVM(t *testing.T) {
	pkts := corpus.Build(t)
	for _, expr := range corpus.Filters() {
		prog, err := Compile(expr, LinkEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			// x/net/bpf's VM has no "neg"; the tcpdump corpus test covers it.
			t.Logf("%q: VM cannot run it: %v", expr, err)
			continue
		}
		f, err := New(expr, LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			n, err := vm.Run(p.Data)
			if err != nil && strings.Contains(err.Error(), "NegateA") {
				break // x/net/bpf's VM has no "neg"; the tcpdump corpus test covers it
			}
			if err != nil {
				t.Fatalf("%q on %s: vm: %v", expr, p.Name, err)
			}
			if got := f.Match(p.Data, len(p.Data)); got != (n > 0) {
				t.Errorf("%q on %s: Match %v, VM %v", expr, p.Name, got, n > 0)
			}
		}
	}
}

// TestFilterSemantics pins what a few filters must select from the
// corpus, reasoned from pcap-filter(7) (the privileged suite compares
// every corpus expression with tcpdump itself).
func TestFilterSemantics(t *testing.T) {
	pkts := corpus.Build(t)
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"icmp[icmptype] == icmp-echo", []string{"echo request", "big echo request", "echo with ip options"}},
		{"udp port 53", []string{"udp dns", "udp dns reply", "fragment 1", "udp6 dns", "udp6 in fragment header"}},
		{"arp", []string{"arp request", "arp reply"}},
		{"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
			[]string{"tcp syn 80", "tcp syn 22", "tcp 1500-25", "tcp with ip options"}},
		{"portrange 1000-2000 and tcp", []string{"tcp data 8080", "tcp 1500-25"}},
		{"ip6 and udp", []string{"udp6 dns", "udp6 in fragment header"}},
		{"ether broadcast", []string{"arp request"}},
		{"ip[0] & 0xf > 5", []string{"tcp with ip options", "echo with ip options"}},
	} {
		f, err := New(tc.expr, LinkEthernet)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		var got []string
		for _, p := range pkts {
			if f.Match(p.Data, len(p.Data)) {
				got = append(got, p.Name)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q selects %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestLenIsWireLength: "len" is the length on the wire, not what was
// captured, as in libpcap.
func TestLenIsWireLength(t *testing.T) {
	f, err := New("greater 1000", LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	pkt := corpus.Build(t)[0].Data
	if f.Match(pkt[:60], 60) || !f.Match(pkt[:60], 1500) {
		t.Error("greater 1000 does not test the wire length")
	}
}

func TestLongJumps(t *testing.T) {
	// Many alternatives make jumps longer than 255 instructions, which
	// go through islands, optimised or not.
	expr := "host 10.0.0.99"
	for i := 0; i < 100; i++ {
		expr += fmt.Sprintf(" or port %d", 1480+i)
	}
	expr += " or icmp"
	for _, opt := range []bool{false, true} {
		prog, err := compileOpt(expr, linkLayout{protoOff: 12, nh: 14}, 0, opt)
		if err != nil {
			t.Fatal(err)
		}
		islands := 0 // conditional jumps to an unconditional one
		for i, in := range prog {
			if j, ok := in.(bpf.JumpIf); ok {
				for _, skip := range []uint8{j.SkipTrue, j.SkipFalse} {
					if _, ja := prog[i+1+int(skip)].(bpf.Jump); ja {
						islands++
					}
				}
			}
		}
		if islands == 0 {
			t.Fatalf("optimised %v: %d instructions, no jump through an island: the test needs long jumps", opt, len(prog))
		}
		raw, err := bpf.Assemble(prog)
		if err != nil {
			t.Fatal(err)
		}
		f, err := load(raw, userMaxInsns)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range corpus.Build(t) {
			want := p.Name == "echo request" || p.Name == "echo reply" || p.Name == "big echo request" ||
				p.Name == "port unreachable" || p.Name == "time exceeded" || p.Name == "echo with ip options" ||
				p.Name == "udp 1500" || p.Name == "tcp 1500-25"
			if got := f.Match(p.Data, len(p.Data)); got != want {
				t.Errorf("optimised %v: %s: match %v, want %v", opt, p.Name, got, want)
			}
		}
	}
}

func TestLoadFilterRejectsBadPrograms(t *testing.T) {
	for _, prog := range [][]bpf.RawInstruction{
		nil,
		{{Op: 0x15, Jt: 5, Jf: 0, K: 1}, {Op: 0x06, K: 0}}, // jump past the end
		{{Op: 0x34, K: 0}, {Op: 0x06, K: 0}},               // div by constant 0
		{{Op: 0x02, K: 16}, {Op: 0x06, K: 0}},              // scratch slot 16
		{{Op: 0x20, K: 0xfffff000}, {Op: 0x06, K: 0}},      // ancillary load
		{{Op: 0x00, K: 1}},                                 // no return
	} {
		if _, err := Load(prog); err == nil {
			t.Errorf("Load(%v) accepted a bad program", prog)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, e := range corpus.Filters() {
		f.Add(e)
	}
	// Found by this fuzzer: a negative offset compiled to an ancillary
	// load, a shift by 32 or more bits compiled at all.
	f.Add("ip[-1] == 0")
	f.Add("ip[0] << 32 == 0")
	pkt := corpus.Build(f)[3].Data
	f.Fuzz(func(t *testing.T, expr string) {
		for _, link := range []LinkType{LinkEthernet, LinkRaw, LinkLinuxSLL2} {
			prog, err := Compile(expr, link, 0)
			if err != nil {
				continue
			}
			raw, err := bpf.Assemble(prog)
			if err != nil {
				t.Fatalf("%q: assemble: %v", expr, err)
			}
			flt, err := Load(raw)
			if err != nil {
				t.Fatalf("%q: %v", expr, err)
			}
			flt.Match(pkt, len(pkt))
		}
	})
}

func ExampleCompile() {
	prog, err := Compile("icmp[icmptype] == icmp-echo", LinkEthernet, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range prog {
		fmt.Println(in)
	}
	_, err = Compile("tcp port http or", LinkEthernet, 0)
	fmt.Println(err)
	// Output:
	// ldh [12]
	// jneq #2048,8
	// ldb [23]
	// jneq #1,6
	// ldh [20]
	// jset #8191,4
	// ldx 4*([14]&0xf)
	// ldb [x + 14]
	// jneq #8,1
	// ret #262144
	// ret #0
	// filter "tcp port http or": expression ends too early at position 17
}

func ExampleFilter_Match() {
	f, err := New("udp dst port 53", LinkRaw)
	if err != nil {
		fmt.Println(err)
		return
	}
	// An IPv4 header (20 bytes) and a UDP header to port 53.
	pkt := []byte{
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0, 53, 0, 8, 0, 0,
	}
	fmt.Println(f.Match(pkt, len(pkt)))
	pkt[23] = 54
	fmt.Println(f.Match(pkt, len(pkt)))
	// Output:
	// true
	// false
}
