//go:build linux && privileged

package mtr

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

var number = regexp.MustCompile(`[0-9]+\.[0-9]+%?|[0-9]+`)

// masked is a report with its Start line dropped and every number N.
func masked(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(l, "Start: ") {
			continue
		}
		out = append(out, number.ReplaceAllStringFunc(l, func(m string) string {
			return strings.Repeat("N", len(m))
		}))
	}
	return strings.Join(out, "\n")
}

// TestMtrReportParity: Debian's mtr 0.95 and rawkit mtr print the same
// -r report on the same path, numbers masked (their widths kept); the
// same JSON keys and types, CSV header and columns, XML tags.
func TestMtrReportParity(t *testing.T) {
	netlabtest.Privileged(t)
	mtrBin := netlabtest.NeedTool(t, "mtr")
	c := netlabtest.NewChain(t, 3)
	dst := c.Server.Addr().String()
	peer := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// mtr waits a fixed grace (-G, 5 s) after its last round;
		// half a second is plenty on this lab and keeps the test short.
		cmd := c.Client.Command(ctx, mtrBin, append([]string{"-G", "0.5"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("mtr %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, args := range [][]string{{"-n", "-r", "-c", "20", "-i", "0.1"}, {"-n", "-w", "-c", "5", "-i", "0.1"},
		{"-n", "-r", "-o", "LDRSNBAWVGJMXI", "-c", "5", "-i", "0.1"}} {
		theirs := peer(append(args, dst)...)
		ours, code := mtrInProc(t, c.Client, append(args, dst)...)
		if code != 0 || masked(ours) != masked(theirs) {
			t.Errorf("%v: exit %d\nrawkit:\n%s\nmtr:\n%s", args, code, ours, theirs)
		}
	}
	// JSON: same keys, same types.
	shape := func(s string) string {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		return jsonShape(v)
	}
	theirs := peer("-n", "-j", "-c", "3", "-i", "0.1", dst)
	ours, _ := mtrInProc(t, c.Client, "-n", "-j", "-c", "3", "-i", "0.1", dst)
	if shape(ours) != shape(theirs) {
		t.Errorf("-j shapes differ:\nrawkit %s\nmtr    %s", shape(ours), shape(theirs))
	}
	if squashed(ours) != squashed(theirs) {
		t.Errorf("-j text differs:\nrawkit:\n%s\nmtr:\n%s", ours, theirs)
	}
	for _, f := range []string{"-C", "-x"} {
		theirs := peer("-n", f, "-c", "3", "-i", "0.1", dst)
		ours, _ := mtrInProc(t, c.Client, "-n", f, "-c", "3", "-i", "0.1", dst)
		if squashed(ours) != squashed(theirs) {
			t.Errorf("%s differs:\nrawkit:\n%s\nmtr:\n%s", f, ours, theirs)
		}
	}
}

// squashed is masked with every number one N: JSON's reals have no
// fixed width.
func squashed(s string) string { return number.ReplaceAllString(s, "N") }

// jsonShape prints v's keys and value types, sorted, as one string.
func jsonShape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var parts []string
		for k, e := range x {
			parts = append(parts, k+":"+jsonShape(e))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + jsonShape(x[0]) + "]"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "null"
}

// TestMtrReplay: --replay of a recording prints the report the live run
// printed, byte for byte.
func TestMtrReplay(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	rec := filepath.Join(t.TempDir(), "run.jsonl")
	for _, f := range []string{"-r", "-j", "-C", "-x", "--json"} {
		live, code := mtrInProc(t, c.Client, "-n", f, "-c", "5", "-i", "0.05", "--record", rec, c.Server.Addr().String())
		if code != 0 {
			t.Fatalf("%s: exit %d", f, code)
		}
		again, code := mtrInProc(t, c.Client, "-n", f, "--replay", rec)
		if code != 0 || again != live {
			t.Errorf("%s replay (exit %d):\n%s\nlive:\n%s", f, code, again, live)
		}
	}
	// A recording cut short is refused.
	b, _ := os.ReadFile(rec)
	cut := filepath.Join(t.TempDir(), "cut.jsonl")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	if out, code := mtrInProc(t, c.Client, "-n", "-r", "--replay", cut); code != 2 || out != "" {
		t.Errorf("truncated replay: exit %d, %q", code, out)
	}
}

// TestMtrUnprivileged: as nobody with only ping_group_range open, rawkit
// mtr says it runs unprivileged and finds the hops raw mode finds, with
// ICMP (ping sockets) and UDP (the error queue), over IPv4 and IPv6;
// every probe it counts is one the client's capture saw leave.
func TestMtrUnprivileged(t *testing.T) {
	if netlabtest.AsNobody() {
		args := append(strings.Fields(os.Getenv("MTR_ARGS")), "-n", "-c", "5", "-i", "0.05", "--json", os.Getenv("MTR_DST"))
		out, code := mtrInProc(t, nil, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		os.Stdout.WriteString("MTRDOC " + out) // for the parent: one line
		return
	}
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"--icmp", "-u"} {
		for _, dst := range []netip.Addr{c.Server.Addr(), c.Server.Addr6()} {
			rawDoc := mtrDoc(t, c.Client, method, "-n", "-c", "3", "-i", "0.05", dst.String())
			sn := netlabtest.Sniff(t, c.Client, "eth0", "icmp or icmp6 or udp")
			out, err := netlabtest.RunAsNobody(t, c.Client, t.Name(), "MTR_DST="+dst.String(), "MTR_ARGS="+method)
			pkts := sn.Stop()
			if err != nil {
				t.Fatalf("as nobody: %v\n%s", err, out)
			}
			_, doc, ok := strings.Cut(string(out), "MTRDOC ")
			doc, _, _ = strings.Cut(doc, "\n")
			var d jsonDoc
			if err := json.Unmarshal([]byte(doc), &d); !ok || err != nil {
				t.Fatalf("no document from the child: %v\n%s", err, out)
			}
			if d.Mode != "unprivileged" || rawDoc.Mode != "raw" || !d.Reached || len(d.Hops) != len(rawDoc.Hops) ||
				d.Method != rawDoc.Method {
				t.Fatalf("%s %v: unprivileged %+v\nraw %+v", method, dst, d, rawDoc)
			}
			for i, h := range d.Hops {
				r := rawDoc.Hops[i]
				if len(h.Responders) != 1 || h.Responders[0].Addr != r.Responders[0].Addr || h.Sent != 5 || h.Lost != 0 {
					t.Errorf("%s %v hop %d: unprivileged %+v, raw %+v", method, dst, h.TTL, h, r)
				}
			}
			if n := probesSent(pkts, dst); n[1] != 5 || n[2] != 5 || n[4] < 5 {
				t.Errorf("%s %v: capture saw probes per TTL %v", method, dst, n)
			}
		}
	}
}

// probesSent counts the ICMP echo requests and UDP datagrams to dst
// per TTL (hop limit) in packets captured at the client.
func probesSent(pkts []netlab.Packet, dst netip.Addr) map[int]int {
	n := map[int]int{}
	for _, p := range pkts {
		b := p.Network()
		switch {
		case len(b) >= 28 && b[0]>>4 == 4 && (b[9] == 17 || b[9] == 1 && b[20] == 8):
			if netip.AddrFrom4([4]byte(b[16:20])) == dst {
				n[int(b[8])]++
			}
		case len(b) >= 48 && b[0]>>4 == 6 && (b[6] == 17 || b[6] == 58 && b[40] == 128):
			if netip.AddrFrom16([16]byte(b[24:40])) == dst {
				n[int(b[7])]++
			}
		}
	}
	return n
}

// TestMtrJSONLStream: --jsonl is one JSON object a line: a start record
// of schema 1, one probe record per probe the capture saw answered or
// not, a round record per round, the summary and the end record.
func TestMtrJSONLStream(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	dst := c.Server.Addr()
	sn := netlabtest.Sniff(t, c.Client, "eth0", "icmp")
	out, code := mtrInProc(t, c.Client, "-n", "--jsonl", "-c", "3", "-i", "0.05", dst.String())
	sent := echoRequests(sn.Stop(), dst)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	types := map[string]int{}
	probes := map[int]int{}
	for i, l := range lines {
		var e event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		types[e.Type]++
		switch {
		case i == 0 && (e.Type != "start" || e.Schema != streamSchema || e.Dst != dst.String()):
			t.Errorf("first line %s", l)
		case i == len(lines)-1 && e.Type != "end":
			t.Errorf("last line %s", l)
		case e.Type == "probe":
			if e.Flow == nil || e.Answered == nil || (*e.Answered && (e.RTTus == nil || e.From == "")) {
				t.Errorf("probe record %s", l)
			}
			probes[e.TTL]++
		}
	}
	if types["round"] != 3 || types["summary"] != 1 || types["start"] != 1 {
		t.Errorf("records %v", types)
	}
	for ttl := 1; ttl <= 3; ttl++ {
		if probes[ttl] != 3 || sent[ttl] != 3 {
			t.Errorf("ttl %d: %d probe records, capture saw %d probes", ttl, probes[ttl], sent[ttl])
		}
	}
}
