package craft

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type goldenSummary struct {
	line  int // in testdata/summaries.txt
	name  string
	first gopacket.LayerType
	pkt   []byte
	want  string
}

// readGoldenSummaries reads testdata/summaries.txt: records of a "#" name
// line, "ip HEX" or "ether HEX", and tcpdump's line, separated by blank
// lines; "##" lines are comments.
func readGoldenSummaries(t *testing.T) []goldenSummary {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "summaries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldenSummary
	var cur *goldenSummary
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "##"): // file comment
		case l == "":
			cur = nil
		case strings.HasPrefix(l, "#") && cur == nil:
			out = append(out, goldenSummary{line: n, name: strings.TrimSpace(l[1:])})
			cur = &out[len(out)-1]
		case cur != nil && cur.pkt == nil:
			kind, hx, _ := strings.Cut(l, " ")
			cur.first = map[string]gopacket.LayerType{"ip": layers.LayerTypeIPv4, "ether": layers.LayerTypeEthernet}[kind]
			if cur.pkt, err = hex.DecodeString(hx); err != nil || cur.first == 0 {
				t.Fatalf("summaries.txt:%d: bad packet line %q", n, l)
			}
		case cur != nil:
			cur.want = l
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("only %d golden summaries", len(out))
	}
	return out
}

// TestSummaryGolden holds Summary to tcpdump's own lines for the same bytes.
func TestSummaryGolden(t *testing.T) {
	for _, g := range readGoldenSummaries(t) {
		if got := Summary(g.pkt, g.first); got != g.want {
			t.Errorf("summaries.txt:%d %s\n got  %q\n want %q", g.line, g.name, got, g.want)
		}
		// The decoder's summary is the same function over the same bytes.
		d := NewDecoder(g.first)
		_ = d.Decode(g.pkt)
		if got := string(d.AppendSummary([]byte("> "))); got != "> "+g.want {
			t.Errorf("summaries.txt:%d: Decoder.AppendSummary %q", g.line, got)
		}
	}
}

// TestSummaryMatchesTcpdump writes the golden packets to pcap files and
// compares Summary with what the installed tcpdump prints for them, so the
// golden lines are known to be tcpdump's. Without tcpdump it is skipped
// (TestSummaryGolden holds the recorded lines), except in the privileged
// suite, whose script installs tcpdump: there its absence is a failure.
func TestSummaryMatchesTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		if os.Getenv("RAWKIT_PRIVILEGED") == "1" {
			t.Fatalf("tcpdump not found with RAWKIT_PRIVILEGED=1 (scripts/test-privileged.sh installs it): %v", err)
		}
		t.Skip("tcpdump not installed; TestSummaryGolden covers the recorded lines")
	}
	golden := readGoldenSummaries(t)
	for _, link := range []struct {
		first gopacket.LayerType
		lt    layers.LinkType
	}{{layers.LayerTypeIPv4, layers.LinkTypeRaw}, {layers.LayerTypeEthernet, layers.LinkTypeEthernet}} {
		var pkts []goldenSummary
		var file bytes.Buffer
		w := pcapgo.NewWriter(&file)
		if err := w.WriteFileHeader(65535, link.lt); err != nil {
			t.Fatal(err)
		}
		for _, g := range golden {
			if g.first != link.first {
				continue
			}
			pkts = append(pkts, g)
			ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, 0), CaptureLength: len(g.pkt), Length: len(g.pkt)}
			if err := w.WritePacket(ci, g.pkt); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "golden.pcap")
		if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tcpdump, "-S", "-n", "-t", "-r", path).Output()
		if err != nil {
			t.Fatalf("tcpdump: %v", err)
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			if l != "" && !strings.HasPrefix(l, "\t") { // hex dumps of unknown payloads
				lines = append(lines, strings.TrimRight(l, " "))
			}
		}
		if len(lines) != len(pkts) {
			t.Fatalf("tcpdump printed %d lines for %d packets", len(lines), len(pkts))
		}
		for i, g := range pkts {
			if got := Summary(g.pkt, g.first); got != lines[i] {
				t.Errorf("summaries.txt:%d %s\n craft   %q\n tcpdump %q", g.line, g.name, got, lines[i])
			}
		}
	}
}
