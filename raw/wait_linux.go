package raw

import (
	"context"
	"unsafe"

	"golang.org/x/sys/unix"
)

func (c *Conn) waitRead(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return c.opError(opRead, err)
	}
	w := c.watch(ctx, dirRead)
	var err error
	for {
		// The runtime poller waits when the function returns false,
		// and calls it again once the socket is readable (or the
		// deadline a cancelled ctx sets has passed).
		err = c.rc.Read(pollIn)
		if !c.retry(ctx, dirRead, err) {
			break
		}
	}
	if err = w.done(ctx, err); err != nil {
		return c.opError(opRead, err)
	}
	return nil
}

func (c *Conn) readable() (bool, error) {
	var ready bool
	err := c.rc.Control(func(fd uintptr) { ready = pollIn(fd) })
	if err != nil {
		return false, c.opError(opRead, err)
	}
	return ready, nil
}

// pollIn reports whether fd has a packet or an error to read: any event
// poll(2) reports counts, so that a socket error ends a wait rather
// than leaving it blocked on a socket that will never turn readable.
func pollIn(fd uintptr) bool {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	var zero unix.Timespec // poll(2) with a zero timeout returns at once
	for {
		n, e := sockcall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 1, uintptr(unsafe.Pointer(&zero)), 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		return e != 0 || n > 0
	}
}
