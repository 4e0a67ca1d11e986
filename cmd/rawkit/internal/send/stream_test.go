package send

import (
	"io"
	"os/exec"
	"syscall"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// bigSpec is 65,536 packets of 65,028 bytes: 4.3 GB if held at once.
const bigSpec = "ip(dst=127.0.0.1)/udp(sport=0-65535,dport=9)/raw(size=65000)"

// maxRSS is the peak resident memory a streaming send may reach, well
// above one batch of such packets per sending socket and far below the
// packets themselves.
const maxRSS = 512 << 20

// peakRSS runs the built rawkit with args, its output discarded, and
// returns its exit status and peak resident set in bytes (getrusage(2)
// ru_maxrss, in kilobytes on Linux).
func peakRSS(t *testing.T, bin string, args ...string) (int, int64) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child")
	}
	return code, ru.Maxrss << 10
}

// TestSendDryRunMemoryFlat: a dry run of 65,536 large packets builds and
// prints them one at a time; it held them all (4.3 GB) before.
func TestSendDryRunMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 4 GB of packets")
	}
	bin := clitest.BuildRawkit(t)
	code, rss := peakRSS(t, bin, "send", "--dry-run", bigSpec)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, maxRSS>>20)
	}
	t.Logf("peak RSS %d MB", rss>>20)
}
