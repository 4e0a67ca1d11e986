package capture

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestCaptureOutputFileErrors: a -w file that cannot be created or
// written is named in one line with the system's reason, status 2, as
// send -w reports it; the pcap writers' words ("writing pcap: write
// /dev/full: ...") named the format, the file only inside Go's "write
// FILE" prefix, and a create failure read "-w open FILE: ...".
func TestCaptureOutputFileErrors(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	in, _ := pcapFile(t, 4)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "out.pcap")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-w", "/dev/full"}, "rawkit capture: writing /dev/full: no space left on device\n"},
		{[]string{"--pcapng", "-w", "/dev/full"}, "rawkit capture: writing /dev/full: no space left on device\n"},
		{[]string{"-c", "1", "-w", "/dev/full"}, "rawkit capture: writing /dev/full: no space left on device\n"},
		{[]string{"-w", missing}, "rawkit capture: creating " + missing + ": no such file or directory\n"},
	} {
		code, out, errs := clitest.Run(t, New(noDrop()), append([]string{"-r", in}, tc.args...)...)
		if code != cli.ExitError || out != "" || errs != tc.want {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want status 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
}
