package mtr

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// testEnv opens no socket and no file but the testdata recordings.
func testEnv(mtrOptions string) *Env {
	return &Env{
		NewMonitor: func(netip.Addr, *trace.MonitorConfig) (Monitor, error) {
			return nil, errors.New("no sockets in unit tests")
		},
		DropPrivileges: func() error { return nil },
		Resolver:       clitest.NoDNS(),
		Hostname:       func() (string, error) { return "client", nil },
		Getenv:         func(string) string { return mtrOptions },
		Create:         func(string) (io.WriteCloser, error) { return nil, errors.New("no files in unit tests") },
		Open: func(name string) (io.ReadSeekCloser, error) {
			if filepath.Dir(name) != "testdata" {
				return nil, errors.New("only testdata in unit tests")
			}
			return os.Open(name)
		},
	}
}

// TestReplayGolden: the recording of a 5-round, 4-flow UDP run over the
// lab's ECMP diamond (MPLS labels at hop 2) replays to each report
// format, compared with golden files checked by hand against mtr 0.95's
// code (ui/report.c) and the netlab parity test.
func TestReplayGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, args string }{
		{"report", "-n -r"}, {"wide", "-n -w"}, {"mpls", "-n -e -r"}, {"fields", "-n -r -o LDRSNBAWVGJMXI"},
		{"mtrjson", "-n -j"}, {"csv", "-n -C"}, {"xml", "-n -x"}, {"raw", "-n -e -l"}, {"json", "-n --json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append(strings.Fields(c.args), "--replay", "testdata/diamond.jsonl")
			code, out, errOut := clitest.Run(t, New(testEnv("")), args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "diamond-"+c.name+".golden")
			if *update {
				os.WriteFile(golden, []byte(out), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("%s:\n%s\nwant:\n%s", c.args, out, want)
			}
		})
	}
}

// TestReportLayout checks mtr 0.95's column arithmetic on a made-up
// path: 100% loss overflowing into the next field, names cut at column
// 33, ??? for a silent hop, RTTs of a second or more.
func TestReportLayout(t *testing.T) {
	t.Parallel()
	dst := netip.MustParseAddr("10.0.4.2")
	s := trace.NewMonitorStats(trace.MonitorStatsConfig{Dst: dst, MaxTTL: 30})
	for round := range int64(2) {
		for ttl, from := range []string{"10.0.1.2", "", "10.0.3.2", "10.0.4.2"} {
			p := trace.MonitorProbe{Round: round + 1, TTL: ttl + 1, QuotedTOS: -1, Type: -1, Code: -1}
			if from != "" {
				p.Answered, p.From = true, netip.MustParseAddr(from)
				p.RTT = 1234567 * 1000 // 1234.567 ms
				p.Reached, p.Final = from == "10.0.4.2", from == "10.0.4.2"
			}
			s.Add(p)
		}
		s.RoundDone(s.Snapshot().Started)
	}
	o := &opts{fields: defaultFields, numeric: false}
	o.cfg.Count = 2
	rep := &report{o: o, target: "x", snap: s.Snapshot(), localHost: "client",
		names: map[netip.Addr]string{netip.MustParseAddr("10.0.3.2"): "a-very-long-reverse-name.example.net"}}
	var b bytes.Buffer
	rep.writeText(&b, false)
	got := strings.SplitN(b.String(), "\n", 2)[1]
	want := `HOST: client                      Loss%   Snt   Last   Avg  Best  Wrst StDev
  1.|-- 10.0.1.2                   0.0%     2  1234. 1234. 1234. 1234.   0.0
  2.|-- ???                       100.0     2    0.0   0.0   0.0   0.0   0.0
  3.|-- a-very-long-reverse-name.  0.0%     2  1234. 1234. 1234. 1234.   0.0
  4.|-- 10.0.4.2                   0.0%     2  1234. 1234. 1234. 1234.   0.0
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestBadInput: one line naming the value, exit status 2.
func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ env, args, want string }{
		{"", "-o LZ 10.0.0.1", `unknown field identifier 'Z' in -o "LZ"`},
		{"", "-c 0 10.0.0.1", "-c"},
		{"", "-c x 10.0.0.1", "-c"},
		{"", "-i 0 10.0.0.1", "-i"},
		{"", "-i 7200 10.0.0.1", "-i"},
		{"", "--flows 65 10.0.0.1", "--flows"},
		{"", "--flows 2 --classic 10.0.0.1", "--classic"},
		{"", "-r -j 10.0.0.1", "report modes -r and -j"},
		{"", "-u -T 10.0.0.1", "methods udp and tcp"},
		{"", "-f 9 -m 3 10.0.0.1", "first ttl 9"},
		{"", "-z 10.0.0.1", "-z"},
		{"", "--rate 0 10.0.0.1", "--rate"},
		{"", "-r", "no host"},
		{"-o Q", "10.0.0.1", "MTR_OPTIONS"},
		{"", "-r --replay testdata/missing.jsonl", "missing.jsonl"},
		{"", "-r --replay testdata/truncated.jsonl", "truncated"},
		{"", "-r --replay testdata/schema2.jsonl", "schema version 2"},
		{"", "-r --record x --replay testdata/diamond.jsonl", "--replay"},
	} {
		code, out, errOut := clitest.Run(t, New(testEnv(c.env)), strings.Fields(c.args)...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("MTR_OPTIONS=%q %s: exit %d, stdout %q, stderr %q (want %q)", c.env, c.args, code, out, errOut, c.want)
		}
	}
}

// TestMTROptions: MTR_OPTIONS comes first, the command line after it.
func TestMTROptions(t *testing.T) {
	t.Parallel()
	o, err := parseArgs(strings.Fields("-n -c 3 -o LS"), []string{"-c", "5", "-r", "h"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.numeric || o.cfg.Count != 5 || o.fields != "LS" || o.mode != modeReport {
		t.Errorf("numeric %v count %d fields %q mode %v", o.numeric, o.cfg.Count, o.fields, o.mode)
	}
}

// FuzzArgs: any command line ends in status 0, 1 or 2 (with one line
// on stderr), never a panic. No socket opens, no file is written.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"-n\x00-r\x00127.0.0.1", "-o\x00LSDR NAB\x00-c\x001\x00::1", "--flows\x008\x00-u\x0010.0.0.1",
		"-r\x00--replay\x00testdata/diamond.jsonl", "-j\x00-T\x00-P\x00443\x00-Q\x00256\x00h", "-w\x00-i\x000.5\x00a\x00b"} {
		f.Add(s)
	}
	cmd := New(testEnv(""))
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, cmd, s) })
}
