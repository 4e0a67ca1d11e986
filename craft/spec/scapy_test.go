package spec

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// testSource stands in for the route lookup: every spec's unset source is
// 192.0.2.1, or 2001:db8::1 for IPv6, as testdata/spec_scapy.py sets it
// on the scapy side.
var testSource = &Config{Source: func(dst netip.Addr) (netip.Addr, error) {
	if dst.Is6() && !dst.Is4In6() {
		return netip.MustParseAddr("2001:db8::1"), nil
	}
	return netip.MustParseAddr("192.0.2.1"), nil
}}

// TestSpecScapyBytes builds every spec of testdata/spec_scapy.txt and
// compares the bytes with the ones scapy built for the equivalent scapy
// expression (recorded by testdata/spec_scapy.py; the privileged suite
// re-runs scapy to check the file is still what scapy builds).
func TestSpecScapyBytes(t *testing.T) {
	f, err := os.Open("testdata/spec_scapy.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			t.Fatalf("line %q: want spec<TAB>expression<TAB>hex", sc.Text())
		}
		spec, expr, want := parts[0], parts[1], strings.Split(parts[2], ",")
		n += len(want)
		pkts, err := ParseConfig(spec, testSource)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if len(pkts) != len(want) {
			t.Errorf("%s: %d packets, scapy's %s has %d", spec, len(pkts), expr, len(want))
			continue
		}
		for i, p := range pkts {
			if got := hex.EncodeToString(p.Bytes); got != want[i] {
				t.Errorf("%s: packet %d\n got %s\nwant %s (scapy: %s)", spec, i, got, want[i], expr)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Fatalf("only %d packets compared with scapy, want at least 30", n)
	}
}
