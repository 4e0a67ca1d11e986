package raw

import (
	"context"
	"net"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A writer holds the sendto(2) arguments of one write and its bound
// closure, pooled like reader.
type writer struct {
	sa     unix.RawSockaddrInet4
	sa6    unix.RawSockaddrInet6 // used instead of sa when v6
	v6     bool
	buf    []byte
	n      int
	errno  unix.Errno
	nowait bool // TryWriteTo: MSG_DONTWAIT, RawSyscall, outside the poller
	ok     bool // tryFn's result
	fn     func(fd uintptr) bool
	tryFn  func(fd uintptr)
}

func (c *Conn) getWriter() *writer {
	w, _ := c.writers.Get().(*writer)
	if w == nil {
		w = &writer{}
		w.fn = w.send
		w.tryFn = func(fd uintptr) { w.ok = w.send(fd) }
	}
	return w
}

func (w *writer) send(fd uintptr) bool {
	for {
		p, sa := uintptr(unsafe.Pointer(unsafe.SliceData(w.buf))), uintptr(unsafe.Pointer(&w.sa))
		salen := uintptr(unix.SizeofSockaddrInet4)
		if w.v6 {
			sa, salen = uintptr(unsafe.Pointer(&w.sa6)), unix.SizeofSockaddrInet6
		}
		var flags uintptr
		if w.nowait {
			flags = unix.MSG_DONTWAIT
		}
		n, e := sockcall6(unix.SYS_SENDTO, fd, p, uintptr(len(w.buf)), flags, sa, salen)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // send buffer full: wait until writable
		}
		w.n, w.errno = int(n), e
		return true
	}
}

func (c *Conn) writeTo(ctx context.Context, b []byte, dst netip.Addr) (int, error) {
	if err := c.check(b, -1); err != nil {
		return 0, err
	}
	dst, err := c.dest(dst, b)
	if err != nil {
		return 0, err
	}
	var sa6 unix.RawSockaddrInet6
	if c.v6 {
		if sa6, err = c.sockaddr6(dst); err != nil {
			return 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, c.opError(opWrite, err)
	}
	wr := c.getWriter()
	// sin_port stays 0: raw(7) no longer uses it, and ping sockets take
	// the identifier from their own port.
	wr.setAddr(dst, c.v6, &sa6)
	wr.buf, wr.n, wr.errno = b, 0, 0

	cw := c.watch(ctx, dirWrite)
	err = c.rc.Write(wr.fn)
	for c.retry(ctx, dirWrite, err) {
		err = c.rc.Write(wr.fn)
	}
	err = cw.done(ctx, err)
	n := wr.n
	if err == nil && wr.errno != 0 {
		err = os.NewSyscallError("sendto", wr.errno)
		n = 0
	}
	wr.buf = nil
	c.writers.Put(wr)
	return n, c.opErrorTo(opWrite, dst, err)
}

func (c *Conn) tryWriteTo(b []byte, dst netip.Addr) (int, error) {
	if err := c.check(b, -1); err != nil {
		return 0, err
	}
	dst, err := c.dest(dst, b)
	if err != nil {
		return 0, err
	}
	var sa6 unix.RawSockaddrInet6
	if c.v6 {
		if sa6, err = c.sockaddr6(dst); err != nil {
			return 0, err
		}
	}
	wr := c.tryW.Swap(nil)
	if wr == nil {
		wr = c.getWriter()
	}
	wr.setAddr(dst, c.v6, &sa6)
	wr.buf, wr.n, wr.errno, wr.nowait, wr.ok = b, 0, 0, true, false
	err = c.rc.Control(wr.tryFn)
	n, ok := wr.n, wr.ok
	if err == nil && wr.errno != 0 {
		err = os.NewSyscallError("sendto", wr.errno)
		n = 0
	}
	wr.buf, wr.nowait = nil, false
	if !c.tryW.CompareAndSwap(nil, wr) {
		c.writers.Put(wr)
	}
	if err == nil && !ok {
		return 0, ErrWouldBlock
	}
	return n, c.opErrorTo(opWrite, dst, err)
}

// opErrorTo is opError with the destination recorded.
func (c *Conn) opErrorTo(op string, dst netip.Addr, err error) error {
	if err == nil {
		return nil
	}
	oe := c.opError(op, err).(*net.OpError)
	oe.Addr = &net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	return oe
}

// setAddr sets the destination of the next send: sa6, already resolved,
// on an IPv6 socket.
func (w *writer) setAddr(dst netip.Addr, v6 bool, sa6 *unix.RawSockaddrInet6) {
	w.v6 = v6
	if v6 {
		w.sa6 = *sa6
		return
	}
	w.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: dst.As4()}
}
