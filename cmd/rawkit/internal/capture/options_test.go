package capture

import (
	"fmt"
	"os"
	"strings"
	"testing"

	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestCaptureOptionsAfterExpression: options may follow the expression
// as tcpdump's getopt lets them ("-r f icmp -c 2"); after "--" every word
// is the expression's.
func TestCaptureOptionsAfterExpression(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 6)
	for _, args := range [][]string{
		{"-r", path, "icmp", "-c", "2"},
		{"icmp", "-c", "2", "-r", path},
		{"-r", path, "icmp", "-c", "2", "and", "ip"},
		{"-c", "2", "-r", path, "--", "icmp"},
	} {
		code, out, errs := clitest.Run(t, New(noDrop()), args...)
		if code != cli.ExitOK || errs != "" || strings.Count(out, "\n") != 2 {
			t.Errorf("%q: exit %d, stderr %q, %d lines; want 0 and 2 lines", args, code, errs, strings.Count(out, "\n"))
		}
	}
	// After "--", "-c" is a word of the expression, and a bad one.
	code, _, errs := clitest.Run(t, New(noDrop()), "-r", path, "--", "icmp", "-c", "2")
	if code != cli.ExitError || !strings.Contains(errs, "filter") {
		t.Errorf("after --: exit %d, stderr %q; want 2 and a filter error", code, errs)
	}
}

// TestCaptureSnapZeroDurationSeconds: -s 0 is the default snap length as
// in tcpdump, and --duration takes plain seconds.
func TestCaptureSnapZeroDurationSeconds(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 2)
	out := t.TempDir() + "/out.pcap"
	code, _, errs := clitest.Run(t, New(noDrop()), "-r", path, "-s", "0", "--duration", "5", "-w", out)
	if code != cli.ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := rcapture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := rd.SnapLen(); got != rcapture.DefaultSnapLen {
		t.Errorf("snap length %d in the file, want %d", got, rcapture.DefaultSnapLen)
	}
}

// TestCaptureReadLongFilter: the kernel's 4,096-instruction limit is for
// live capture; a file is filtered with a longer program.
func TestCaptureReadLongFilter(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 4)
	hosts := []string{"host 10.0.0.2"}
	for i := 0; i < 1200; i++ {
		hosts = append(hosts, fmt.Sprintf("host 10.%d.%d.9", 100+i/256, i%256))
	}
	code, out, errs := clitest.Run(t, New(noDrop()), "-r", path, strings.Join(hosts, " or "))
	if code != cli.ExitOK || errs != "" || strings.Count(out, "\n") != 4 {
		t.Errorf("exit %d, stderr %.200q, %d lines; want 0 and 4 lines", code, errs, strings.Count(out, "\n"))
	}
}
