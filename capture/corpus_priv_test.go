//go:build linux && privileged

package capture

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/gopacket"
)

// needTool finds a peer tool. scripts/test-privileged.sh installs them;
// with RAWKIT_PRIVILEGED=1 a missing one fails the test.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("RAWKIT_PRIVILEGED") == "1" {
			t.Fatalf("%s is not installed (scripts/test-privileged.sh installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func writeCorpus(t *testing.T, pkts []corpusPacket) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: corpusTime(i), CaptureLength: len(p.data), Length: len(p.data)}
		if err := w.WritePacket(ci, p.data); err != nil {
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
	tcpdump := needTool(t, "tcpdump")
	pkts := buildCorpus(t)
	path := writeCorpus(t, pkts)
	for _, expr := range filterCorpus {
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
			want = append(want, n-int(corpusTime(0).Unix()))
		}
		sort.Ints(want)
		f, err := NewFilter(expr, LinkEthernet)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		var got []int
		for i, p := range pkts {
			if f.Match(p.data, len(p.data)) {
				got = append(got, i)
			}
		}
		if !equalInts(got, want) {
			t.Errorf("%q: rawkit selects %v, tcpdump %v", expr, names(pkts, got), names(pkts, want))
		}
	}
	t.Logf("%d expressions over %d packets agree with tcpdump", len(filterCorpus), len(pkts))
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

func names(pkts []corpusPacket, idx []int) []string {
	var s []string
	for _, i := range idx {
		s = append(s, pkts[i].name)
	}
	return s
}
