package raw

import (
	"context"

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
	for {
		n, err := unix.Poll(fds[:], 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0
	}
}
