package hrtimer

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Timer is a one-shot CLOCK_MONOTONIC timer file (timerfd_create(2))
// waited on through the runtime poller. A Timer is for one goroutine at
// a time.
type Timer struct {
	f   *os.File
	rc  syscall.RawConn
	buf [8]byte // the expiration count a read returns
}

// New returns a Timer, not armed.
func New() (*Timer, error) {
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
	return &Timer{f: f, rc: rc}, nil
}

// Sleep returns after d, or with an error once the timer is closed
// (errors.Is(err, os.ErrClosed)), even while it sleeps.
func (t *Timer) Sleep(d time.Duration) error {
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

// Close stops the timer and ends a Sleep.
func (t *Timer) Close() error { return t.f.Close() }
