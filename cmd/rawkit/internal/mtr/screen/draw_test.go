package screen

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/icmp/trace"
)

// at builds the row a line should be: left text, the flag column at
// startstat-6 and the columns at startstat, trailing blanks trimmed as
// the harness trims them.
func at(startstat int, left, flags, cols string) string {
	s := fmt.Sprintf("%-*s%-6s%s", startstat-6, left, flags, cols)
	return strings.TrimRight(s, " ")
}

func TestStatsLayout(t *testing.T) {
	t.Parallel()
	r := start(t, 120, 40, newFakeMonitor(labSnapshot()), nil)
	f := r.waitText(" 1. 10.0.1.1")
	rows := strings.Split(f, "\n")
	const s = 120 - 43 - 1 // mtr's startstat: width - columns - 1
	want := []string{
		fmt.Sprintf("%*s", (120-len("rawkit mtr  [v-test] ICMP"))/2+len("rawkit mtr  [v-test] ICMP"), "rawkit mtr  [v-test] ICMP"),
		fmt.Sprintf("%-95s%s", "myhost -> lab-dst (10.0.3.2)", "2026-12-07T20:30:00+0000"),
		"Keys:  Help   Display mode   Restart statistics   Order of fields   quit",
		fmt.Sprintf("%*s%s", s, "", "   Packets               Pings"),
		fmt.Sprintf("%-*s%s", s, " Host", " Loss%   Snt   Last   Avg  Best  Wrst StDev"),
		at(s, " 1. 10.0.1.1", "", "  0.0%    10    1.2   1.3   1.0   2.0   0.3"),
		at(s, " 2. 10.0.2.1", "R", " 20.0%    11    2.5   2.5   2.0   3.5   0.4"),
		at(s, "    10.0.2.2", "", " 25.0%          2.7   2.8   2.5   3.5   0.3"),
		at(s, "    10.0.2.1", "", " 10.0%          2.2   2.3   2.0   3.0   0.3"),
		at(s, " 3. (waiting for reply)", "", "100.0%    10"),
		at(s, " 4. 10.0.3.2", " N", " 10.0%    10    4.2   4.5   3.9   9.8   0.3"),
		"",
		"Flags: R rate limited: loss here does not continue downstream",
		"       N NAT: quoted addresses or ports rewritten",
	}
	for i, w := range want {
		if rows[i] != w {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], w)
		}
	}
	if strings.Contains(f, "MPLS") {
		t.Errorf("MPLS lines shown without -e:\n%s", f)
	}
}

func TestMPLSAndNames(t *testing.T) {
	t.Parallel()
	snap := labSnapshot()
	snap.Hops[0].Responders[0].Name = "gw.lab"
	// A name is what the responder's zone says: escapes must not reach
	// the terminal.
	snap.Hops[3].Responders[0].Name = "evil\x1b[2J.lab"
	mon := newFakeMonitor(snap)
	r := start(t, 120, 40, mon, &Config{Hostname: "myhost", MPLS: true, ShowIPs: true})
	f := r.waitText(" 1. gw.lab (10.0.1.1)", " 4. evil?[2J.lab (10.0.3.2)", "    [MPLS: Lbl 16004 TC 0 S 1 TTL 1]")
	if strings.Contains(f, "\x1b") {
		t.Errorf("escape character drawn:\n%q", f)
	}
	r.key("n")
	r.waitText(" 1. 10.0.1.1", " 4. 10.0.3.2")
	r.key("e")
	r.waitFor("no MPLS line", func(f string) bool { return !strings.Contains(f, "MPLS") })
	if got := mon.recorded(); len(got) != 1 || got[0] != "dns false" {
		t.Errorf("monitor got %q, want [dns false]", got)
	}
}

func TestFlowsAndSections(t *testing.T) {
	t.Parallel()
	a := labSnapshot()
	a.Flows = 8
	a.Hops[1].Responders[0].Flows = []int{0, 1, 2, 3, 5}
	a.Hops[1].Responders[1].Flows = []int{4, 6, 7}
	b := trace.MonitorSnapshot{Target: "10.9.9.9", Dst: netip.MustParseAddr("10.9.9.9"), Method: trace.MethodTCP,
		Flows: 1, Rounds: 3, Paused: true,
		Hops: []trace.HopStats{{TTL: 1, Sent: 3, Responders: []trace.ResponderStats{{Addr: netip.MustParseAddr("10.9.0.1"), Received: 3}}}}}
	a.Hops[2].TOSChanged, a.Hops[2].QuotedTOS = true, 0x20
	r := start(t, 120, 40, newFakeMonitor(a, b), nil)
	f := r.waitText("myhost -> 2 targets", "lab-dst (10.0.3.2)  ICMP  10 rounds  8 flows", "10.9.9.9  TCP  3 rounds  paused",
		" 2. 10.0.2.1    ", "    10.0.2.1 {0-3,5}", "    10.0.2.2 {4,6-7}", " 1. 10.9.0.1",
		"       T TOS rewritten in the quote (0x20 quoted at hop 3)")
	if strings.Index(f, "lab-dst (10.0.3.2)  ICMP") > strings.Index(f, "10.9.9.9  TCP") {
		t.Errorf("sections out of the targets' order:\n%s", f)
	}
	if title := strings.Split(f, "\n")[0]; strings.Contains(title, "ICMP") {
		t.Errorf("title names one method for two targets: %q", title)
	}
}

func TestScrollWhenSectionsDoNotFit(t *testing.T) {
	t.Parallel()
	snaps := []trace.MonitorSnapshot{labSnapshot(), labSnapshot(), labSnapshot()}
	for i := range snaps {
		snaps[i].Target = fmt.Sprintf("target-%d", i)
	}
	r := start(t, 80, 12, newFakeMonitor(snaps...), nil)
	r.waitText("target-0")
	if f, _ := r.scr.last(); strings.Contains(f, "target-2") {
		t.Fatalf("all three sections in 7 rows:\n%s", f)
	}
	r.key("++++")
	f := r.waitText("Flags:")
	if strings.Contains(f, "target-0") {
		t.Errorf("the first section still shown at the end:\n%s", f)
	}
	r.key("---")
	r.waitText("target-1")
}

func TestUpdatesAreDrawn(t *testing.T) {
	t.Parallel()
	mon := newFakeMonitor(labSnapshot())
	r := start(t, 120, 40, mon, nil)
	r.waitText(" 1. 10.0.1.1")
	snap := labSnapshot()
	snap.Hops[0].Sent = 12345
	snap.Hops[0].All.Last = ms2(77.7)
	mon.set(snap)
	r.waitText("12345   77.7")
	// A monitor paused by someone else shows it too; flows are counted.
	snap.Paused, snap.Flows = true, 4
	mon.set(snap)
	r.waitText("[paused]", "myhost -> lab-dst (10.0.3.2)  4 flows")
}

func TestCount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, w int
		want string
	}{
		{7, 5, "    7"}, {99999, 5, "99999"}, {123456, 5, "123k4"}, {1234567, 5, "1234k"},
		{12345678, 5, "12M34"}, {10000, 4, "10k0"}, {1234567890123, 5, "1234G"},
	} {
		if got := count(c.n, c.w); got != c.want {
			t.Errorf("count(%d, %d) = %q, want %q", c.n, c.w, got, c.want)
		}
	}
}

func TestCheckFields(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{DefaultFields, JitterFields, "L", "LDRSNBAWVGJMXI "} {
		if err := CheckFields(ok); err != nil {
			t.Errorf("CheckFields(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "LSZ", "ls", strings.Repeat("L", 31)} {
		if err := CheckFields(bad); err == nil {
			t.Errorf("CheckFields(%q) accepted it", bad)
		}
	}
}

func ExampleCheckFields() {
	fmt.Println(CheckFields("LS NABWV"))
	fmt.Println(CheckFields("LSZ"))
	// Output:
	// <nil>
	// unknown field "Z" in field order "LSZ" (fields: LDRSNBAWVGJMXI and space)
}
