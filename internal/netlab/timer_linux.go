//go:build linux

package netlab

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// hrTimer is a one-shot CLOCK_MONOTONIC timer file (timerfd_create(2))
// waited on through the runtime poller.
//
// A delay cannot wait with Go's timers: the runtime sleeps in
// epoll_wait(2), whose timeout is in whole milliseconds, so a timer due
// in 4.3 ms wakes after 4 ms and then sleeps one more millisecond. Every
// packet was held 0.4 ms too long on average, and a trace through eight
// routers, delayed both ways, read 6 ms more than the configured delays.
// A timer file's expiry is an hrtimer without slack: its readiness wakes
// the poller within the scheduler's wake-up latency.
type hrTimer struct {
	f   *os.File
	rc  syscall.RawConn
	buf [8]byte // the expiration count a read returns
}

func newHRTimer() (*hrTimer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("timerfd_create", err)
	}
	// A non-blocking descriptor goes on the runtime poller, so a read
	// parks the goroutine and close unblocks it.
	f := os.NewFile(uintptr(fd), "timerfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &hrTimer{f: f, rc: rc}, nil
}

// sleep returns after d, or at once with an error once the timer is
// closed (errors.Is(err, os.ErrClosed)).
func (t *hrTimer) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	var serr error
	if err := t.rc.Control(func(fd uintptr) {
		serr = unix.TimerfdSettime(int(fd), 0, &spec, nil)
	}); err != nil {
		return err
	}
	if serr != nil {
		return os.NewSyscallError("timerfd_settime", serr)
	}
	// The read blocks until the timer expires (timerfd_create(2)).
	_, err := t.f.Read(t.buf[:])
	return err
}

// close stops the timer and unblocks a sleep.
func (t *hrTimer) close() error { return t.f.Close() }
