//go:build linux && privileged

package filter_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/capture/internal/corpus"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

func writeCorpus(t *testing.T, pkts []corpus.Packet) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := capture.NewPcapWriter(&buf, filter.LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: corpus.Time(i), CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := w.WritePacket(ci, p.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "corpus.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCorpusMatchesTcpdump: every corpus expression selects exactly the
// packets that tcpdump -r selects from the same file.
func TestCorpusMatchesTcpdump(t *testing.T) {
	tcpdump := netlabtest.NeedTool(t, "tcpdump")
	pkts := corpus.Build(t)
	path := writeCorpus(t, pkts)
	for _, expr := range corpus.Filters() {
		out, err := exec.Command(tcpdump, "-n", "-tt", "-r", path, expr).Output()
		if err != nil {
			t.Errorf("tcpdump %q: %v", expr, err)
			continue
		}
		var want []int
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line == "" {
				continue
			}
			sec, _, _ := strings.Cut(line, ".")
			n, err := strconv.Atoi(sec)
			if err != nil {
				t.Fatalf("tcpdump line %q", line)
			}
			want = append(want, n-int(corpus.Time(0).Unix()))
		}
		sort.Ints(want)
		f, err := filter.New(expr, filter.LinkEthernet)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		var got []int
		for i, p := range pkts {
			if f.Match(p.Data, len(p.Data)) {
				got = append(got, i)
			}
		}
		// rawkit finds ports behind IPv6 extension headers, libpcap does
		// not: those packets are compared in TestProtochainMatchesTcpdump
		// and pinned by TestIP6ExtensionHeaders.
		got, want = withoutExt6(pkts, got), withoutExt6(pkts, want)
		if !equalInts(got, want) {
			t.Errorf("%q: rawkit selects %v, tcpdump %v", expr, names(pkts, got), names(pkts, want))
		}
	}
	t.Logf("%d expressions over %d packets agree with tcpdump", len(corpus.Filters()), len(pkts))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func names(pkts []corpus.Packet, idx []int) []string {
	var s []string
	for _, i := range idx {
		s = append(s, pkts[i].Name)
	}
	return s
}

// hasExt6 reports whether an Ethernet frame is IPv6 with an extension
// header after the fixed header.
func hasExt6(frame []byte) bool {
	return len(frame) > 14+6 && frame[12] == 0x86 && frame[13] == 0xdd && filter.IsIP6Ext(uint32(frame[14+6]))
}

// ext6Count counts the extension headers of an Ethernet-framed IPv6
// packet.
func ext6Count(frame []byte) int {
	n, typ, off := 0, uint32(frame[14+6]), 14+40
	for filter.IsIP6Ext(typ) && off+2 <= len(frame) {
		n++
		size := 8
		if typ != filter.ProtoFrag6 {
			size = 8 * (int(frame[off+1]) + 1)
		}
		typ = uint32(frame[off])
		off += size
	}
	return n
}

func withoutExt6(pkts []corpus.Packet, idx []int) []int {
	var out []int
	for _, i := range idx {
		if !hasExt6(pkts[i].Data) {
			out = append(out, i)
		}
	}
	return out
}

// TestProtochainMatchesTcpdump: on IPv6 packets with extension headers,
// rawkit's "ip6 and udp" (and tcp, icmp6) selects what libpcap's
// "ip6 protochain" selects: the one libpcap primitive that walks the
// chain.
func TestProtochainMatchesTcpdump(t *testing.T) {
	tcpdump := netlabtest.NeedTool(t, "tcpdump")
	var pkts []corpus.Packet
	for _, p := range append(corpus.Build(t), corpus.Ext6()...) {
		// Beyond ip6MaxExt headers rawkit stops looking; libpcap's
		// protochain goes on (TestIP6ExtensionHeaders pins that case).
		if hasExt6(p.Data) && ext6Count(p.Data) <= filter.IP6MaxExt {
			pkts = append(pkts, p)
		}
	}
	path := writeCorpus(t, pkts)
	for _, tc := range []struct{ expr, peer string }{
		{"ip6 and udp", "ip6 protochain 17"},
		{"ip6 and tcp", "ip6 protochain 6"},
		{"icmp6", "ip6 protochain 58"},
	} {
		out, err := exec.Command(tcpdump, "-n", "-tt", "-r", path, tc.peer).Output()
		if err != nil {
			t.Fatalf("tcpdump %q: %v", tc.peer, err)
		}
		var want []int
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if sec, _, ok := strings.Cut(line, "."); ok {
				n, err := strconv.Atoi(sec)
				if err != nil {
					t.Fatalf("tcpdump line %q", line)
				}
				want = append(want, n-int(corpus.Time(0).Unix()))
			}
		}
		f, err := filter.New(tc.expr, filter.LinkEthernet)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for i, p := range pkts {
			if f.Match(p.Data, len(p.Data)) {
				got = append(got, i)
			}
		}
		if !equalInts(got, want) {
			t.Errorf("%q: rawkit selects %v; tcpdump %q: %v", tc.expr, names(pkts, got), tc.peer, names(pkts, want))
		}
	}
}
