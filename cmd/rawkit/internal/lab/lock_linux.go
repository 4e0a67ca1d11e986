package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lock serialises the ups and downs of the lab name, so that a down run
// while an up builds (or two ups) cannot interleave their namespaces and
// state file. It takes flock(2) on NAME.lock in the state directory,
// waiting until it is free or ctx is done, and returns what releases it.
// The kernel releases it too when the process dies, so a killed up
// leaves no stale lock. The file stays: removing it would let two
// processes lock two different files of one name.
func (d store) lock(ctx context.Context, name string) (func(), error) {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(string(d), name+".lock")
	// os.OpenFile sets O_CLOEXEC: the hold process up starts does not
	// inherit the lock.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, os.NewSyscallError("flock", err))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lab %q: another lab up or down of it is running: %w", name, context.Cause(ctx))
		case <-tick.C:
		}
	}
}
