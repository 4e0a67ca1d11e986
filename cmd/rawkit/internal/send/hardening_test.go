package send

import (
	"bytes"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// TestSendRefusesPacingThatDoesNotPace: a rate or an interval that would
// overflow, round to nothing or compare false is one line naming it,
// status 2, never an unpaced flood (--rate NaN and 1e-11 sent unpaced).
func TestSendRefusesPacingThatDoesNotPace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // in the one line
	}{
		{[]string{"--rate", "NaN"}, `bad rate "NaN" for --rate`},
		{[]string{"--rate", "Inf"}, `bad rate "Inf" for --rate`},
		{[]string{"--rate", "-1"}, `bad rate "-1" for --rate`},
		{[]string{"--rate", "1e-11"}, `bad rate "1e-11" for --rate`},
		{[]string{"--rate", "1e-300"}, `bad rate "1e-300" for --rate`},
		{[]string{"-i", "1e-12"}, `bad interval "1e-12" for -i`},
		{[]string{"-i", "0.1ns"}, `bad interval "0.1ns" for -i`},
		{[]string{"-i", "1e30"}, `"1e30"`},
		{[]string{"-i", "NaN"}, `"NaN"`},
		{[]string{"--wait=1e-12"}, `bad timeout "1e-12" for --wait`},
	} {
		args := append(tc.args, "--dry-run", "ip(dst=127.0.0.1)/icmp()")
		code, out, errs := runSendArgs(t, args...)
		if code != cli.ExitError || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want status 2 and one line with %q", tc.args, code, out, errs, tc.want)
		}
	}
	// What pacing takes still passes.
	for _, args := range [][]string{{"--rate", "0"}, {"--rate", "0.001"}, {"--rate", "1e9"}, {"-i", "0"}, {"-i", "1us"}, {"-i", "0.2"}} {
		code, _, errs := runSendArgs(t, append(args, "--dry-run", "ip(dst=127.0.0.1)/icmp()")...)
		if code != cli.ExitOK {
			t.Errorf("%q: status %d, stderr %q", args, code, errs)
		}
	}
}

// TestSendEmptyFileAndInterface: -w ” and -I ” were ignored.
func TestSendEmptyFileAndInterface(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-w", ""}, {"-w="}, {"-I", ""}} {
		code, out, errs := runSendArgs(t, append(args, "--dry-run", "ip(dst=127.0.0.1)/icmp()")...)
		if code != cli.ExitError || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, `""`) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want status 2 and one line naming the empty value", args, code, out, errs)
		}
	}
}

// TestSendPcapToStdout: -w - writes the pcap to standard output, as
// capture -w - does, and the text to standard error; it created a file
// named "-".
func TestSendPcapToStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errs := runSendArgs(t, "--dry-run", "-w", "-", "ip(src=10.0.0.1, dst=127.0.0.1, ttl=1-2)/udp(sport=1234, dport=53)/raw(\"hi\")")
	if code != cli.ExitOK {
		t.Fatalf("status %d, stderr %q", code, errs)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`a file named "-" was created`)
	}
	if !strings.Contains(errs, "IP 10.0.0.1.1234 > 127.0.0.1.53: UDP, length 2\n") || !strings.Contains(errs, "2 packets built") {
		t.Errorf("stderr lacks the packets' summaries:\n%s", errs)
	}
	r, err := capture.NewReader(bytes.NewReader([]byte(out)))
	if err != nil || r.LinkType() != capture.LinkRaw {
		t.Fatalf("stdout is not a raw-IP pcap: %v (%d bytes)", err, len(out))
	}
	for i := 1; i <= 2; i++ {
		b, _, err := r.ReadPacket()
		if err != nil || len(b) != 30 || b[8] != byte(i) {
			t.Errorf("pcap packet %d: % x, %v", i, b, err)
		}
	}
}

// TestSendDryRunChecksAsSendDoes: a dry run refuses what the send
// refuses before sending (an ihl=2 or version=6 IPv4 header passed the
// dry run and failed the send), with the same line, and prints nothing.
func TestSendDryRunChecksAsSendDoes(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]string{
		"ip(dst=127.0.0.1, ihl=2)/icmp()":        "rawkit send: raw: packet 1: IPv4 header length 8 bytes is below 20\n",
		"ip(dst=127.0.0.1, version=6)/icmp()":    "rawkit send: raw: packet 1: IP version 6, want 4\n",
		"ip(dst=127.0.0.1, ihl=[5,2])/icmp()":    "rawkit send: raw: packet 2: IPv4 header length 8 bytes is below 20\n",
		"ip(dst=127.0.0.1, version=[4,5])/udp()": "rawkit send: raw: packet 2: IP version 5, want 4\n",
	} {
		code, out, errs := runSendArgs(t, "--dry-run", spec)
		if code != cli.ExitError || out != "" || errs != want {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want status 2, stderr %q", spec, code, out, errs, want)
		}
	}
	// What the packet socket sends as built still passes.
	if code, _, errs := runSendArgs(t, "--dry-run", "ip(dst=127.0.0.1, ihl=15)/icmp()"); code != cli.ExitOK {
		t.Errorf("ihl=15: status %d, stderr %q", code, errs)
	}
}

// fullWriter fails every write, as a stdout on /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestSendFullStdout: a stdout that cannot be written is reported once,
// as writing stdout failed, status 2; the dry run said nothing and
// exited 0.
func TestSendFullStdout(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--dry-run", "ip(dst=127.0.0.1)/icmp()"},
		{"--dry-run", "--hex", "ip(dst=127.0.0.1, ttl=1-200)/icmp()"},
		{"--dry-run", "-w", "-", "ip(dst=127.0.0.1)/icmp()"},
	} {
		var errb bytes.Buffer
		c := New(&Env{DropPrivileges: func() error { return nil }})
		code := c.Run(context.Background(), &cli.Stdio{In: strings.NewReader(""), Out: fullWriter{}, Err: &errb}, args)
		want := "rawkit send: writing standard output: no space left on device\n"
		if code != cli.ExitError || !strings.HasSuffix(errb.String(), want) || strings.Count(errb.String(), "rawkit send:") != 1 {
			t.Errorf("%q: status %d, stderr %q; want status 2 and one line %q", args, code, errb.String(), want)
		}
	}
}

// TestSendLongSpecErrors: an error quotes a long spec's names and values
// by their start and length, and shows the part of the spec around the
// column at fault: it echoed 60,000-byte names twice, and a 130 KB spec
// whole.
func TestSendLongSpecErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 60000)
	for spec, want := range map[string]string{
		"ip(dst=127.0.0.1, " + long + "=1)/icmp()":                        "rawkit send: unknown field 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (60000 bytes)' in ip(...) at column 19; fields are ",
		"ip(dst=127.0.0.1, ttl=" + long + ")":                             "rawkit send: ttl=" + long[:40] + "... (60000 bytes) in ip(...) is not a number at column 23\n",
		"ip(dst=127.0.0.1)/raw(load=\"" + strings.Repeat(long, 3) + "\")": "rawkit send: spec of 180030 bytes is longer than 65536\n",
	} {
		code, out, errs := runSendArgs(t, "--dry-run", spec)
		if code != cli.ExitError || out != "" || !strings.HasPrefix(errs, want) || len(errs) > 500 {
			t.Errorf("%.40s...: status %d, %d bytes of stderr:\n%.600s\nwant status 2, at most 500 bytes starting %q", spec, code, len(errs), errs, want)
		}
	}
	// The caret still points at the column, in the part of the spec shown.
	code, _, errs := runSendArgs(t, "--dry-run", "ip(dst=127.0.0.1"+strings.Repeat(" ", 60000)+", ttl=300)")
	wantCaret := "rawkit send: ttl 300 in ip(...) out of range 0-255 at column 60023\n  ..." + strings.Repeat(" ", 54) + ", ttl=300)\n" + strings.Repeat(" ", 2+3+60) + "^\n"
	if code != cli.ExitError || errs != wantCaret {
		t.Errorf("caret: status %d, stderr\n%.600s\nwant it to end\n%s", code, errs, wantCaret)
	}
}
