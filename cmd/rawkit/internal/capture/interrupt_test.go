package capture

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// countPackets reads a capture file's packets.
func countPackets(t *testing.T, b []byte) int {
	t.Helper()
	rd, err := rcapture.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output: %v", err)
	}
	n := 0
	for {
		if _, _, err := rd.ReadPacket(); err != nil {
			return n
		}
		n++
	}
}

// TestCaptureReadInterruptStalled: an interrupt ends "capture -r -" at
// once while it waits on a stalled pipe, and what was read is written.
func TestCaptureReadInterruptStalled(t *testing.T) {
	t.Parallel()
	_, file := pcapFile(t, 3)
	pr, pw := io.Pipe()
	defer pw.Close()  // wakes a reader left behind
	go pw.Write(file) // and then stalls: no EOF
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- New(noDrop()).Run(ctx, &cli.Stdio{In: pr, Out: &out, Err: &errb}, []string{"-r", "-", "-w", "-"})
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != cli.ExitOK || errb.Len() != 0 {
			t.Errorf("exit %d, stderr %q", code, errb.String())
		}
		if n := countPackets(t, out.Bytes()); n != 3 {
			t.Errorf("%d packets written, want the 3 read", n)
		}
		t.Logf("ended %v after the interrupt", time.Since(start))
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5 s after the interrupt")
	}
}

// TestCaptureReadFIFOSignals: the real binary reading a FIFO that stalls
// ends on SIGINT with what it read in the -w file, also when a second
// SIGINT follows at once.
func TestCaptureReadFIFOSignals(t *testing.T) {
	t.Parallel()
	bin := clitest.BuildRawkit(t)
	_, file := pcapFile(t, 3)
	for _, signals := range []int{1, 2} {
		dir := t.TempDir()
		fifo, out := filepath.Join(dir, "in.fifo"), filepath.Join(dir, "out.pcap")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "capture", "-r", fifo, "-w", out)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(file); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // read, and waiting for more
		start := time.Now()
		for i := 0; i < signals; i++ {
			cmd.Process.Signal(os.Interrupt)
			time.Sleep(time.Millisecond)
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			if err != nil {
				t.Errorf("%d signals: %v, stderr %q", signals, err, errb.String())
			}
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-waited
			t.Errorf("%d signals: still running 5 s after the interrupt", signals)
		}
		w.Close()
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if n := countPackets(t, b); n != 3 {
			t.Errorf("%d signals: %d packets in the file after %v, want the 3 read", signals, n, time.Since(start))
		}
	}
}
