//go:build linux && privileged

package traceroute

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestTracerouteMPLSExtensionsOnTheWire makes router 2 of a chain answer
// as an MPLS router does: its time exceeded messages carry an RFC 4950
// label stack in an RFC 4884 extension, put there on the wire by netlab's
// NFQUEUE program (Linux never adds one). For each method and family,
// rawkit traceroute -e shows the stack on hop 2 and on no other hop;
// tshark, reading the client's capture, decodes the same stack in every
// time exceeded from router 2, with good checksums, and in none from the
// others; and jc --traceroute still parses the output. --json gives
// the stack as hop 2's probe's "mpls" list.
func TestTracerouteMPLSExtensionsOnTheWire(t *testing.T) {
	netlabtest.Privileged(t)
	for _, tool := range []string{"tshark", "jc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (scripts/test-privileged.sh installs it): %v", tool, err)
		}
	}
	c := netlabtest.NewChain(t, 3)
	x := netlabtest.MPLSExtensions(t, c.Routers[1], xicmp.MPLSLabel{Label: 100, TC: 0, S: true, TTL: 1})
	const stack = "<MPLS:L=100,E=0,S=1,T=1>"
	for _, fam := range []struct {
		name string
		hop  func(int) string
	}{
		{"ipv4", func(i int) string { return c.Hop(i).String() }},
		{"ipv6", func(i int) string { return c.Hop6(i).String() }},
	} {
		for _, m := range []string{"-U", "-I", "-T"} {
			t.Run(fam.name+m, func(t *testing.T) {
				server := fam.hop(4)
				s := netlabtest.Sniff(t, c.Client, "eth0", "icmp or icmp6")
				out, code := traceInProc(t, c.Client, "-n", "-e", m, "-w", "2", server)
				pkts := s.Stop()
				hops := parseTrace(t, out)
				if code != 0 || len(hops) != 4 {
					t.Fatalf("exit %d, %d hops, want 0 and 4:\n%s", code, len(hops), out)
				}
				lines := strings.Split(strings.TrimSpace(out), "\n")[1:]
				for i, l := range lines {
					want := i == 1
					if got := strings.Contains(l, fam.hop(i+1)+" "+stack); got != want || strings.Count(l, "<MPLS") != btoi(want) {
						t.Errorf("hop %d line %q: label stack shown %v, want %v", i+1, l, got, want)
					}
				}
				checkMPLSCapture(t, pkts, fam.hop(2), fam.name == "ipv6")
				checkJC(t, out, hops)
			})
		}
	}
	t.Run("json", func(t *testing.T) {
		out, code := traceInProc(t, c.Client, "-n", "--json", "-q", "1", "-w", "2", c.Server.Addr().String())
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 5 {
			t.Fatalf("exit %d, %d lines, want 0 and 4 hops and a summary:\n%s", code, len(lines), out)
		}
		for i, l := range lines[:4] {
			var h traceJSONHop
			if err := json.Unmarshal([]byte(l), &h); err != nil {
				t.Fatal(err)
			}
			var want []traceJSONMPLS
			if i == 1 {
				want = []traceJSONMPLS{{Label: 100, S: true, TTL: 1}}
			}
			if got := h.Probes[0].MPLS; !slices.Equal(got, want) {
				t.Errorf("hop %d: mpls %+v, want %+v: %s", i+1, got, want, l)
			}
		}
	})
	t.Logf("router 2 extended %d time exceeded messages", x.Rewritten())
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkMPLSCapture writes the capture to a pcap file and has tshark
// decode every time exceeded in it: those from router (and only those)
// carry an RFC 4884 extension, version 2 with a good checksum, holding
// the label stack 100/0/S/1, and every ICMP checksum is good.
func checkMPLSCapture(t *testing.T, pkts []netlab.Packet, router string, v6 bool) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "te.pcap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65536, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: p.Timestamp, CaptureLength: len(p.Data), Length: p.Length}
		if err := w.WritePacket(ci, p.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	proto, filter, src := "icmp", "icmp.type == 11", "ip.src"
	if v6 {
		proto, filter, src = "icmpv6", "icmpv6.type == 3", "ipv6.src"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Wireshark decodes the extensions of both families with its ICMP
	// dissector's fields (icmp.ext, icmp.mpls). The first occurrence of
	// the source is the answer's, not the quoted probe's.
	cmd := exec.CommandContext(ctx, "tshark", "-n", "-r", file, "-Y", filter, "-T", "fields",
		"-E", "separator=|", "-E", "occurrence=f",
		"-e", src, "-e", proto+".checksum.status", "-e", "icmp.ext.version", "-e", "icmp.ext.checksum.status",
		"-e", "icmp.mpls.label", "-e", "icmp.mpls.exp", "-e", "icmp.mpls.s", "-e", "icmp.mpls.ttl")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var ext int
	for _, l := range lines {
		f := strings.Split(l, "|")
		if len(f) != 8 {
			t.Fatalf("tshark line %q", l)
		}
		if f[1] != "1" {
			t.Errorf("tshark: bad ICMP checksum: %s", l)
		}
		switch {
		case f[0] == router && strings.Join(f[2:], "/") == "2/1/100/0/1/1":
			ext++
		case f[0] == router:
			t.Errorf("tshark: time exceeded from %s without the label stack: %s", router, l)
		case f[2] != "":
			t.Errorf("tshark: time exceeded from %s with an extension: %s", f[0], l)
		}
	}
	// Every probe that reached router 2 (hop limit 2, 3 probes) was
	// answered with the extension.
	if ext < 3 {
		t.Errorf("tshark: %d time exceeded with the label stack from %s, want 3 or more:\n%s", ext, router, b)
	}
}

// checkJC has jc --traceroute parse rawkit's -e output: the same hops
// and responders as rawkit's text.
func checkJC(t *testing.T, out string, hops []traceLine) {
	t.Helper()
	cmd := exec.Command("jc", "--traceroute")
	cmd.Stdin = strings.NewReader(out)
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("jc: %v\n%s", err, out)
	}
	var parsed struct {
		Hops []struct {
			Hop    int `json:"hop"`
			Probes []struct {
				IP  string   `json:"ip"`
				RTT *float64 `json:"rtt"`
			} `json:"probes"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(b, &parsed); err != nil {
		t.Fatalf("jc: %v: %s", err, b)
	}
	if len(parsed.Hops) != len(hops) {
		t.Fatalf("jc: %d hops, rawkit printed %d:\n%s\n%s", len(parsed.Hops), len(hops), out, b)
	}
	for i, h := range parsed.Hops {
		if h.Hop != hops[i].ttl || len(h.Probes) != len(hops[i].from) {
			t.Errorf("jc hop %d: %s", i+1, b)
			continue
		}
		for k, p := range h.Probes {
			if p.IP != hops[i].from[k] || p.RTT == nil {
				t.Errorf("jc hop %d probe %d: %+v, rawkit printed %q", i+1, k, p, hops[i].from[k])
			}
		}
	}
}
