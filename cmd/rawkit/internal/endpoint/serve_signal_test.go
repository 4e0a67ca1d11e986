package endpoint

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// TestServeSecondSignalClosesAtOnce: once the context is done the server
// drains, and a second signal during the drain closes the connections
// still open at once, long before the drain time is up.
func TestServeSecondSignalClosesAtOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watched := make(chan chan<- os.Signal, 1)
	c := NewServe(&Env{Notify: func(c chan<- os.Signal, _ ...os.Signal) { watched <- c }, DropPrivileges: noDrop().DropPrivileges})
	lines := newLines()
	done := make(chan int, 1)
	go func() {
		done <- c.Run(ctx, &cli.Stdio{In: strings.NewReader(""), Out: lines.w, Err: lines.w},
			[]string{"tcp", "127.0.0.1:0", "--drain", "60"})
		lines.w.Close()
	}()
	f := strings.Fields(lines.next(t)) // listening on tcp 127.0.0.1:PORT (echo)
	if len(f) < 4 {
		t.Fatalf("first line %q", f)
	}
	conn := dialTCP(t, f[3])
	defer conn.Close()
	conn.Write([]byte("x")) // served, so counted open during the drain
	if _, err := conn.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cancel() // the first signal
	if l := lines.next(t); !strings.HasPrefix(l, "stopping: no new connections; 1 open, draining for up to 1m0s") {
		t.Fatalf("after the first signal: %q", l)
	}
	(<-watched) <- syscall.SIGTERM // the second
	select {
	case code := <-done:
		if code != cli.ExitOK {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not close the server")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("closed after %v", d)
	}
	if l := lines.next(t); !strings.Contains(l, ": 1 connections, 0 refused, ") {
		t.Errorf("counters %q", l)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the connection is still open after the server closed: read %d, %v", n, err)
	}
}
