package send

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/inject"
)

// runSendArgs runs a send command of its own with args; its privileges
// are never dropped, as in the tests that send.
func runSendArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return clitest.Run(t, New(&Env{DropPrivileges: func() error { return nil }}), args...)
}

// TestSendBadInput: every mistake is one line (a spec error adds the spec
// and a caret under the spot), status 2, and nothing is sent: these run
// without privilege, so a send attempt would fail differently.
func TestSendBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ip(dst=10.0.0.2, ttll=3)/icmp()"}, "rawkit send: unknown field 'ttll' in ip(...) at column 18; did you mean 'ttl'?\n  ip(dst=10.0.0.2, ttll=3)/icmp()\n                   ^\n"},
		{[]string{"ip(ttl=300)"}, "rawkit send: ttl 300 in ip(...) out of range 0-255 at column 8\n  ip(ttl=300)\n         ^\n"},
		{[]string{"ip()/raw(load=\"a\", size=3)"}, "rawkit send: field 'size' contradicts 'load' in raw(...): they set the same bytes at column 20\n  ip()/raw(load=\"a\", size=3)\n                     ^\n"},
		{[]string{}, "rawkit send: no packet spec; try: rawkit send 'ip(dst=127.0.0.1)/icmp()' (rawkit help send)\n"},
		{[]string{"ip()", "icmp()"}, "rawkit send: one packet spec expected, got 2 arguments (\"icmp()\"...); quote the spec\n"},
		{[]string{"-c", "0", "ip()"}, "rawkit send: bad count 0: want 1 or more\n"},
		{[]string{"-c", "x", "ip()"}, "rawkit send: invalid value \"x\" for flag -c: parse error (rawkit help send)\n"},
		{[]string{"--rate", "-5", "ip()"}, "rawkit send: bad rate \"-5\" for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second\n"},
		// A rate limit never turns into a flood: no NaN, infinity, or a
		// rate whose gap overflows or that underflows to no limit.
		{[]string{"--rate", "NaN", "ip()"}, "rawkit send: bad rate \"NaN\" for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second\n"},
		{[]string{"--rate", "1e-11", "ip()"}, "rawkit send: bad rate \"1e-11\" for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second\n"},
		{[]string{"--rate", "1e-400", "ip()"}, "rawkit send: bad rate \"1e-400\" for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second\n"},
		{[]string{"--rate", "+Inf", "ip()"}, "rawkit send: bad rate \"+Inf\" for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second\n"},
		{[]string{"--rate", "5", "-i", "1", "ip()"}, "rawkit send: --rate and -i both pace the packets: give one\n"},
		{[]string{"-i", "soon", "ip()"}, "rawkit send: bad interval \"soon\" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 3600s\n"},
		{[]string{"-i", "1e-12", "ip()"}, "rawkit send: bad interval \"1e-12\" for -i: want seconds (0.5) or a duration (500ms), 0, or from 0.000001s to 3600s\n"},
		{[]string{"--wait=forever", "ip()"}, "rawkit send: bad timeout \"forever\" for --wait: want seconds (0.5) or a duration (500ms), from 0.000001s to 3600s\n"},
		{[]string{"--wait=1e-12", "ip()"}, "rawkit send: bad timeout \"1e-12\" for --wait: want seconds (0.5) or a duration (500ms), from 0.000001s to 3600s\n"},
		{[]string{"--nope", "ip()"}, "rawkit send: flag provided but not defined: -nope (rawkit help send)\n"},
		{[]string{"ip(dst=10.0.0.0/8)/udp(dport=1-100)"}, "rawkit send: spec expands to more than 65536 packets (limit 65536): narrow the ranges and lists at column 4\n  ip(dst=10.0.0.0/8)/udp(dport=1-100)\n     ^\n"},
	} {
		code, out, errs := runSendArgs(t, tc.args...)
		if code != cli.ExitError || out != "" || errs != tc.want {
			t.Errorf("%q: status %d, stdout %q, stderr\n%s\nwant status 2, stderr\n%s", tc.args, code, out, errs, tc.want)
		}
	}
}

func TestSendDryRun(t *testing.T) {
	t.Parallel()
	pcap := filepath.Join(t.TempDir(), "out.pcap")
	code, out, errs := runSendArgs(t, "--dry-run", "ip(src=10.0.0.1, dst=127.0.0.1, ttl=1-2)/udp(sport=1234, dport=53)/raw(\"hi\")", "--show", "--hex", "-w", pcap)
	if code != cli.ExitOK || errs != "" {
		t.Fatalf("status %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"IP 10.0.0.1.1234 > 127.0.0.1.53: UDP, length 2\n###[ ip ]###\n",
		"  ttl       = 2\n",
		"00000000  45 00 00 1e 00 01 00 00  01 11 ",
		"2 packets built, none sent (--dry-run)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil || r.LinkType() != capture.LinkRaw {
		t.Fatalf("pcap: %v, link type %v", err, r.LinkType())
	}
	for i := 1; i <= 2; i++ {
		b, _, err := r.ReadPacket()
		if err != nil || len(b) != 30 || b[8] != byte(i) {
			t.Errorf("pcap packet %d: % x, %v", i, b, err)
		}
	}
}

func TestSendHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := runSendArgs(t, "-h")
	if code != cli.ExitOK || !strings.HasPrefix(out, "usage: rawkit send SPEC") || !strings.Contains(out, "  dataofs (doff, dataoffset)") {
		t.Errorf("help: status %d:\n%s", code, out)
	}
}

func TestSendUnknownInterface(t *testing.T) {
	t.Parallel()
	code, out, errs := runSendArgs(t, "-I", "no-such-if0", "ip()")
	if code != cli.ExitError || out != "" || errs != "rawkit send: unknown interface \"no-such-if0\"\n" {
		t.Errorf("status %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A run that sent nothing reports zero time, not the distance to the
// zero time.Time.
func TestSendTotalsWhenNothingWasSent(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	printTotals(&cli.Stdio{Out: &out}, &opts{}, nil, &inject.Result{})
	if got, want := out.String(), "sent 0 packets in 0s\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestHelpSendHasSpecReference: send's usage ends with the spec
// reference, built when printed; help and --help print the same.
func TestHelpSendHasSpecReference(t *testing.T) {
	t.Parallel()
	var doc strings.Builder
	sendDoc.WriteHelp(&doc)
	want := doc.String() + "\n" + spec.Help()
	c := New(nil)
	var help bytes.Buffer
	c.PrintUsage(&help) // what `rawkit help send` prints
	if help.String() != want {
		t.Errorf("help send: %d bytes of usage, want the %d bytes of usage and spec reference", help.Len(), len(want))
	}
	code, out, _ := clitest.Run(t, c, "--help")
	if code != cli.ExitOK || out != want {
		t.Errorf("send --help: exit %d, %d bytes of output, want 0 and the %d bytes of usage and spec reference", code, len(out), len(want))
	}
}
