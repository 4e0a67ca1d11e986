package raw

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"
)

// blockedRead starts a read that has nothing to read and returns a channel
// with its error, once it is (most likely) blocked in the poller.
func blockedRead(t *testing.T, c *Conn, ctx context.Context) <-chan error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.ReadMsg(ctx, make([]byte, 64))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	return errc
}

func waitErr(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("blocked read did not return")
		return nil
	}
}

func TestReadDeadline(t *testing.T) {
	c, _ := udpConn(t, nil)
	start := time.Now()
	if err := c.SetReadDeadline(start.Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := c.ReadMsg(context.Background(), make([]byte, 64))
	took := time.Since(start)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want os.ErrDeadlineExceeded", err)
	}
	if took < 50*time.Millisecond || took > 500*time.Millisecond {
		t.Errorf("read returned after %v, want 50-500ms", took)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "read" {
		t.Errorf("err %v is not a read *net.OpError", err)
	}
}

func TestReadContextCancel(t *testing.T) {
	c, addr := udpConn(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	before := runtime.NumGoroutine()
	errc := blockedRead(t, c, ctx)
	// Only the reading goroutine: watching ctx costs none.
	if n := runtime.NumGoroutine(); n > before+1 {
		t.Errorf("%d goroutines during a blocked read, want at most %d", n, before+1)
	}
	cancel()
	if err := waitErr(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The poke must not outlive the call: the next read blocks as usual
	// and gets the next packet.
	send(t, sender(t, 64, 0), addr, "after")
	m, err := c.ReadMsg(context.Background(), make([]byte, 64))
	if err != nil || string(m.Data) != "after" {
		t.Fatalf("read after cancel = %q, %v", m.Data, err)
	}
}

func TestReadContextRestoresDeadline(t *testing.T) {
	c, _ := udpConn(t, nil)
	if err := c.SetReadDeadline(time.Now().Add(150 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := blockedRead(t, c, ctx)
	cancel()
	if err := waitErr(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The caller's deadline is back in force.
	start := time.Now()
	_, err := c.ReadMsg(context.Background(), make([]byte, 64))
	if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("read after cancel: %v after %v, want the caller's deadline", err, time.Since(start))
	}
}

func TestReadContextDeadline(t *testing.T) {
	c, _ := udpConn(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.ReadMsg(ctx, make([]byte, 64))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	// Already done: no system call at all.
	if _, err := c.ReadMsg(ctx, make([]byte, 64)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	c, _ := udpConn(t, nil)
	errc := blockedRead(t, c, context.Background())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, errc); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err = %v, want net.ErrClosed", err)
	}
}

func TestCloseUnblocksReadBatch(t *testing.T) {
	c, _ := udpConn(t, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := c.ReadBatch(context.Background(), []Message{{Buf: make([]byte, 64)}})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	if err := waitErr(t, errc); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err = %v, want net.ErrClosed", err)
	}
}

func TestReadBatchContextCancel(t *testing.T) {
	c, _ := udpConn(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.ReadBatch(ctx, []Message{{Buf: make([]byte, 64)}})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := waitErr(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestCancelEndsOnlyItsOwnRead: one read's cancellation leaves another
// read on the same Conn blocked, and that one still gets its packet.
func TestCancelEndsOnlyItsOwnRead(t *testing.T) {
	c, addr := udpConn(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := blockedRead(t, c, ctx)
	other := make(chan string, 1)
	go func() {
		m, err := c.ReadMsg(context.Background(), make([]byte, 64))
		if err != nil {
			other <- err.Error()
			return
		}
		other <- string(m.Data)
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := waitErr(t, cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v, want context.Canceled", err)
	}
	select {
	case got := <-other:
		t.Fatalf("the other read returned %q on a cancellation not its own", got)
	case <-time.After(50 * time.Millisecond):
	}
	send(t, sender(t, 64, 0), addr, "for the other")
	select {
	case got := <-other:
		if got != "for the other" {
			t.Fatalf("other read = %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other read never returned")
	}
}
