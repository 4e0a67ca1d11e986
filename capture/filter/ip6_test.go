package filter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture/internal/corpus"
	"golang.org/x/net/bpf"
)

// relink rewrites an Ethernet frame for another link type.
func relink(frame []byte, link LinkType) []byte {
	switch link {
	case LinkRaw:
		return frame[14:]
	case LinkLinuxSLL:
		h := make([]byte, 16)
		copy(h[14:], frame[12:14])
		return append(h, frame[14:]...)
	case LinkLinuxSLL2:
		h := make([]byte, 20)
		copy(h[0:], frame[12:14])
		return append(h, frame[14:]...)
	}
	return frame
}

// TestIP6ExtensionHeaders pins what rawkit selects from IPv6 packets
// with extension headers, on every link type. libpcap finds ports only
// right after the fixed header, so tcpdump selects none of these for a
// port; rawkit walks up to ip6MaxExt extension headers.
func TestIP6ExtensionHeaders(t *testing.T) {
	pkts := corpus.Ext6()
	all := "hbh udp 53,dst rt tcp 80,first frag udp 53,later frag udp,hbh icmp6 echo,6 headers tcp 80,7 headers tcp 80"
	for _, tc := range []struct{ expr, want string }{
		{"ip6", all},
		{"port 53", "hbh udp 53,first frag udp 53"},
		{"udp port 53", "hbh udp 53,first frag udp 53"},
		{"dst port 53", "hbh udp 53,first frag udp 53"},
		{"src port 53", ""},
		{"ip6 and src port 40011", "dst rt tcp 80"},
		{"tcp port 80", "dst rt tcp 80,6 headers tcp 80"},
		{"tcp dst port http", "dst rt tcp 80,6 headers tcp 80"},
		{"portrange 50-90", "hbh udp 53,dst rt tcp 80,first frag udp 53,6 headers tcp 80"},
		{"tcp", "dst rt tcp 80,6 headers tcp 80"},
		{"proto 6", "dst rt tcp 80,6 headers tcp 80"},
		{"udp", "hbh udp 53,first frag udp 53,later frag udp"},
		{"ip6 proto 17", "hbh udp 53,first frag udp 53,later frag udp"},
		{"ip6 proto 0", "hbh udp 53,hbh icmp6 echo,6 headers tcp 80,7 headers tcp 80"},
		{"ip6 proto 44", "first frag udp 53,later frag udp"},
		{"ip6 proto 60", "dst rt tcp 80"},
		{"icmp6", "hbh icmp6 echo"},
		{"icmp6[icmp6type] == icmp6-echo", "hbh icmp6 echo"},
		{"icmp6[4:2] + icmp6[6:2] == 4", "hbh icmp6 echo"},
		{"icmp6[icmp6[0] - 127] == 0 and icmp6[0] == 128", "hbh icmp6 echo"},
		{"ip6 and not tcp and not udp and not icmp6", "7 headers tcp 80"},
		{"port 80 and port 40013", "6 headers tcp 80"},
		// tcp[...] and udp[...] are IPv4 only, as in libpcap.
		{"tcp[13] == 2", ""},
	} {
		for _, link := range []LinkType{LinkEthernet, LinkRaw, LinkLinuxSLL, LinkLinuxSLL2} {
			f, err := New(tc.expr, link)
			if err != nil {
				t.Fatalf("%v %q: %v", link, tc.expr, err)
			}
			var got []string
			for _, p := range pkts {
				d := relink(p.Data, link)
				if f.Match(d, len(d)) {
					got = append(got, p.Name)
				}
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("%v %q selects %q, want %q", link, tc.expr, g, tc.want)
			}
		}
	}
}

// TestIP6TruncatedChain: a chain cut short by the snapshot length ends
// the program, as any load past the captured bytes does.
func TestIP6TruncatedChain(t *testing.T) {
	p := corpus.Ext6()[1].Data // dst rt tcp 80
	f, err := New("tcp port 80", LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(p, len(p)) {
		t.Fatal("whole packet does not match")
	}
	// The ports start after 14+40+16+24 bytes.
	for n := 14 + 40; n < 14+40+16+24+4; n++ {
		if f.Match(p[:n], len(p)) {
			t.Errorf("packet cut to %d bytes matches", n)
		}
	}
}

// TestIP6AgreesWithVM runs the extension header packets through Filter
// and x/net/bpf's VM.
func TestIP6AgreesWithVM(t *testing.T) {
	pkts := append(corpus.Build(t), corpus.Ext6()...)
	exprs := append([]string{"port 53", "tcp port 80", "portrange 50-90", "udp", "ip6 proto 17",
		"icmp6[icmp6type] == icmp6-echo", "src port 40011 or dst port 53"}, corpus.Filters()...)
	for _, expr := range exprs {
		prog, err := Compile(expr, LinkEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			continue // no "neg" in x/net/bpf's VM
		}
		f, err := New(expr, LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			n, err := vm.Run(p.Data)
			if err != nil {
				break
			}
			if got := f.Match(p.Data, len(p.Data)); got != (n > 0) {
				t.Errorf("%q on %s: Match %v, VM %v", expr, p.Name, got, n > 0)
			}
		}
	}
}

// TestIP6ProgramSize: the walk is emitted once per program, so each
// further port costs a few instructions.
func TestIP6ProgramSize(t *testing.T) {
	one, err := Compile("port 53", LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	two, err := Compile("port 53 or port 80", LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := len(two) - len(one); d > 40 {
		t.Errorf("a second port costs %d instructions (port 53: %d)", d, len(one))
	}
	plain, err := Compile("ip6 or arp", LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) > 6 {
		t.Errorf("ip6 or arp needs %d instructions: the walk is emitted when nothing uses it", len(plain))
	}
	t.Logf("port 53: %d instructions; port 53 or port 80: %d", len(one), len(two))
}

func ExampleFilter_Match_ip6() {
	f, err := New("udp dst port 53", LinkRaw)
	if err != nil {
		fmt.Println(err)
		return
	}
	// An IPv6 header, a hop-by-hop options header (8 bytes: next header
	// UDP, a PadN option) and a UDP header to port 53.
	pkt := []byte{
		0x60, 0, 0, 0, 0, 16, 0, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		17, 0, 1, 4, 0, 0, 0, 0,
		0x9c, 0x40, 0, 53, 0, 8, 0, 0,
	}
	fmt.Println(f.Match(pkt, len(pkt)))
	// A later fragment has no UDP header, whatever its data looks like.
	frag := append(append([]byte(nil), pkt[:40]...), 17, 0, 0x05, 0xc8, 0, 0, 0, 1)
	frag[6] = 44
	frag = append(frag, pkt[48:]...)
	fmt.Println(f.Match(frag, len(frag)))
	// Output:
	// true
	// false
}
