package capture

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// fuzzEnv is an Env that opens no capture socket (Listen fails), reads
// the file in whatever -r names, and writes whatever -w names to
// /dev/null: a fuzzed "-w /etc/passwd" truncates nothing.
func fuzzEnv(in string) *Env {
	return &Env{
		DropPrivileges: func() error { return nil },
		Listen: func(string, *rcapture.Config) (*rcapture.Conn, error) {
			return nil, errors.New("no sockets while fuzzing")
		},
		Open:   func(string) (*os.File, error) { return os.Open(in) },
		Create: func(string) (*os.File, error) { return os.OpenFile(os.DevNull, os.O_WRONLY, 0) },
	}
}

// FuzzArgs: any capture command line ends in status 0, 1 or 2 (with one
// line on stderr), never a panic; no socket opens and no file but a
// fixed four-packet pcap is read.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"-r\x00in.pcap\x00icmp", "-i\x00lo\x00-c\x001\x00tcp port 80", "-r\x00x\x00-w\x00y\x00--pcapng\x00-c\x002",
		"-r\x00x\x00-s\x0040\x00icmp[icmptype]\x00==\x00icmp-echo", "--duration\x001e-9\x00-p", "-r\x00x\x00--\x00-c\x001",
		"-w\x00-\x00-r\x00-", "-r\x00x\x00ip6 and (", "-s\x00-1\x00-c\x00NaN"} {
		f.Add(s)
	}
	in, _ := pcapFile(f, 4)
	capture := New(fuzzEnv(in))
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, capture, s) })
}

// TestCaptureEnvOpeners: the command opens its socket and files through
// its Env, so that the fuzz target's fakes stand for all of them.
func TestCaptureEnvOpeners(t *testing.T) {
	t.Parallel()
	in, _ := pcapFile(t, 4)
	env := fuzzEnv(in)
	c := New(env)
	if code, _, errs := clitest.Run(t, c, "-i", "lo", "-c", "1"); code != 2 || errs != "rawkit capture: no sockets while fuzzing\n" {
		t.Errorf("live capture: status %d, stderr %q; want the fake Listen's error", code, errs)
	}
	if code, out, errs := clitest.Run(t, c, "-r", "/no/such/file"); code != 0 || strings.Count(out, "\n") != 4 {
		t.Errorf("-r /no/such/file: status %d, stdout %q, stderr %q; want the fake Open's 4 packets", code, out, errs)
	}
	out := filepath.Join(t.TempDir(), "out.pcap")
	if code, _, errs := clitest.Run(t, c, "-r", in, "-w", out); code != 0 {
		t.Errorf("-w: status %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-w %s made the file (%v); the fake Create writes to %s", out, err, os.DevNull)
	}
}
