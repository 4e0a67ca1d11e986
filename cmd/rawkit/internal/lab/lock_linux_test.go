package lab

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// TestLabDownWaitsForUp: while another process holds the lab's lock (an
// up building it), down of the same name waits, and runs once the lock
// is released.
func TestLabDownWaitsForUp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, "lk_test.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- labDown(context.Background(), &cli.Stdio{Out: io.Discard, Err: io.Discard}, store(dir), "lk_test")
	}()
	select {
	case err := <-done:
		t.Fatalf("down ran while the lab was locked: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	f.Close() // releases the lock
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), `no lab "lk_test" is up`) {
			t.Errorf("down after the lock: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("down did not run once the lock was released")
	}
}

// TestLabLockCancelled: a down that waits for the lock ends when its
// context does, with one message saying why.
func TestLabLockCancelled(t *testing.T) {
	t.Parallel()
	dir := store(t.TempDir())
	unlock, err := dir.lock(context.Background(), "lk2")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := dir.lock(ctx, "lk2"); err == nil || !strings.Contains(err.Error(), "another lab up or down of it is running") {
		t.Errorf("second lock: %v", err)
	}
}
