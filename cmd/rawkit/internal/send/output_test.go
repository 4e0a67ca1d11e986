package send

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// TestSendPcapFileErrors: a -w file that cannot be created or written is
// named in one line, with the system's reason, status 2, as capture -w
// reports it. The pcap writer's own words ("capture: writing pcap:
// write /dev/full: ...") blamed the capture package, not the file.
func TestSendPcapFileErrors(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir", "out.pcap")
	for _, tc := range []struct {
		file, want string
	}{
		{"/dev/full", "rawkit send: writing /dev/full: no space left on device\n"},
		{missing, "rawkit send: creating " + missing + ": no such file or directory\n"},
	} {
		code, out, errs := runSendArgs(t, "--dry-run", "-w", tc.file, "ip(dst=127.0.0.1)/icmp()")
		if code != cli.ExitError || errs != tc.want {
			t.Errorf("-w %s: status %d, stderr %q; want status 2 and %q", tc.file, code, errs, tc.want)
		}
		if tc.file == missing && out != "" {
			t.Errorf("-w %s: printed %q before failing to create the file", tc.file, out)
		}
	}
}
