package raw

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A reader holds the recvmsg(2) arguments of one read and the closure
// handed to the poller, built once and pooled: that is what keeps
// ReadMsg free of allocations.
type reader struct {
	msg     unix.Msghdr
	iov     unix.Iovec
	sa      unix.RawSockaddrInet4
	sa6     unix.RawSockaddrInet6 // the name on IPv6 sockets
	namelen uint32                // of sa or sa6
	n       int
	errno   unix.Errno
	recverr bool // the Conn's IP_RECVERR
	errq    bool // the message came from the error queue
	nowait  bool // TryReadMsg: MSG_DONTWAIT, outside the poller
	ok      bool // tryFn's result
	fn      func(fd uintptr) bool
	tryFn   func(fd uintptr)
	drainFn func(fd uintptr) // sets ok when it read an error queue entry
	oob     [oobSize]byte
}

func (c *Conn) getReader() *reader {
	r, _ := c.readers.Get().(*reader)
	if r == nil {
		r = &reader{recverr: c.recverr}
		r.fn = r.recv
		r.tryFn = func(fd uintptr) { r.ok = r.recv(fd) }
		r.drainFn = func(fd uintptr) { r.ok, _ = r.recvErrQueue(fd) }
	}
	return r
}

// recvmsg makes one recvmsg(2) call (sockcall: it never sleeps). A
// TryReadMsg call says MSG_DONTWAIT as well.
func (r *reader) recvmsg(fd uintptr, flags int) (int, unix.Errno) {
	return recvmsg(fd, &r.msg, flags, r.nowait)
}

func recvmsg(fd uintptr, msg *unix.Msghdr, flags int, nowait bool) (int, unix.Errno) {
	if nowait {
		flags |= unix.MSG_DONTWAIT
	}
	n, e := sockcall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(msg)), uintptr(flags))
	return int(n), e
}

// reset readies msg for a recvmsg: the kernel shortens the name and
// control lengths to what it wrote.
func (r *reader) reset() {
	if r.msg.Name != nil {
		r.msg.Namelen = r.namelen
	}
	r.msg.SetControllen(oobSize)
	r.msg.Flags = 0
}

// recv is called by the poller when the socket may be readable; false
// means "not yet", and the poller waits for the next readiness.
//
// With IP_RECVERR it also reads the error queue (ip(7)): when the
// receive queue is empty, and when a read of it fails with the error of
// the entry at the head of the error queue, which the kernel reports
// once through sk_err (socket(7)) and which is not a failure of the
// socket. An error queue entry wakes readers through EPOLLERR.
func (r *reader) recv(fd uintptr) bool {
	for {
		r.reset()
		n, e := r.recvmsg(fd, 0)
		switch {
		case e == unix.EINTR:
			continue
		case e == 0 || (!r.recverr && e != unix.EAGAIN):
			r.n, r.errno, r.errq = n, e, false
			return true
		case !r.recverr:
			return false
		}
		switch ok, e2 := r.recvErrQueue(fd); {
		case ok || e2 != unix.EAGAIN:
			return true
		case e == unix.EAGAIN:
			return false
		}
		// The entry behind e was taken by a concurrent reader: the
		// receive queue may hold packets.
	}
}

// recvErrQueue reads one entry of the error queue without waiting and
// reports whether it read one; EAGAIN means the queue is empty.
func (r *reader) recvErrQueue(fd uintptr) (bool, unix.Errno) {
	for {
		r.reset()
		n, e := r.recvmsg(fd, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false, e
		}
		r.n, r.errno, r.errq = n, e, true
		return true, e
	}
}

// errNotPollable reports the runtime poller's refusal to wait after an
// event that was only EPOLLERR (runtime/netpoll_epoll.go; the error is
// internal/poll.ErrNotPollable, which no package exports). It lasts until
// the socket's next event with another flag. A Config.SendStamps socket
// meets it at about every other stamp, so it does not allocate, as
// errors.As would (its target escapes).
func errNotPollable(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if oe, ok := e.(*net.OpError); ok {
			return oe.Err != nil && oe.Err.Error() == "not pollable"
		}
	}
	return false
}

// pollRead runs fn through the poller until it reads or fails. On a
// RecvErr socket, a poller that refuses to wait because only EPOLLERR
// was signalled is answered by reading the error queue directly with
// drain, which sets *drained when it read an entry; when the queue is
// empty too, the goroutine yields until the poller waits again, which
// the next event on the socket allows (an EPOLLERR alone comes only
// while the send buffer is full, and ends when it drains).
func (c *Conn) pollRead(ctx context.Context, fn func(uintptr) bool, drain func(uintptr), drained *bool) error {
	for {
		err := c.rc.Read(fn)
		if c.retry(ctx, dirRead, err) {
			continue
		}
		if !c.recverr || !errNotPollable(err) {
			return err
		}
		*drained = false
		if err := c.rc.Control(drain); err != nil || *drained {
			return err
		}
		runtime.Gosched()
	}
}

func (c *Conn) readMsg(ctx context.Context, b []byte) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, c.opError(opRead, err)
	}
	r := c.getReader()
	c.setup(r, b)
	w := c.watch(ctx, dirRead)
	err := c.pollRead(ctx, r.fn, r.drainFn, &r.ok)
	err = w.done(ctx, err)
	return c.endRead(r, b, err)
}

func (c *Conn) tryReadMsg(b []byte) (Message, error) {
	r := c.tryR.Swap(nil)
	if r == nil {
		r = c.getReader()
	}
	c.setup(r, b)
	r.nowait, r.ok = true, false
	err := c.rc.Control(r.tryFn)
	r.nowait = false
	var m Message
	if err == nil && !r.ok {
		err = ErrWouldBlock
	} else {
		m, err = c.parseRead(r, b, err)
	}
	r.iov.Base = nil
	if !c.tryR.CompareAndSwap(nil, r) {
		c.putReader(r)
	}
	return m, err
}

// setup points r's recvmsg arguments at b. A raw socket's packets carry
// their source in the header: the kernel need not copy out the name,
// except for the error queue, where it is the original destination.
func (c *Conn) setup(r *reader, b []byte) {
	r.msg = unix.Msghdr{Iov: &r.iov, Control: &r.oob[0]}
	switch {
	case c.v6:
		// IPv6 raw sockets have no header to read the source from.
		r.namelen = unix.SizeofSockaddrInet6
		r.msg.Name, r.msg.Namelen = (*byte)(unsafe.Pointer(&r.sa6)), r.namelen
	case c.ping || c.recverr:
		r.namelen = unix.SizeofSockaddrInet4
		r.msg.Name, r.msg.Namelen = (*byte)(unsafe.Pointer(&r.sa)), r.namelen
	}
	r.msg.SetIovlen(1)
	r.msg.SetControllen(oobSize)
	r.iov = unix.Iovec{Base: unsafe.SliceData(b)}
	r.iov.SetLen(len(b))
	r.n, r.errno, r.errq = 0, 0, false
}

// endRead turns what r read into b into a Message and returns r to the
// pool.
func (c *Conn) endRead(r *reader, b []byte, err error) (Message, error) {
	m, err := c.parseRead(r, b, err)
	c.putReader(r)
	return m, err
}

// parseRead turns what r read into b into a Message.
func (c *Conn) parseRead(r *reader, b []byte, err error) (Message, error) {
	var m Message
	if err == nil && r.errno != 0 {
		err = os.NewSyscallError("recvmsg", r.errno)
	}
	if err == nil {
		trunc := r.msg.Flags&unix.MSG_TRUNC != 0
		oob := r.oob[:r.msg.Controllen]
		switch {
		case c.v6 && r.errq:
			c.fillErr6(&m, b, r.n, trunc, oob, &r.sa6)
		case c.v6:
			c.fill6(&m, b, r.n, trunc, oob, &r.sa6)
		case r.errq:
			c.fillErr(&m, b, r.n, trunc, oob, r.sa.Addr)
		default:
			err = c.fill(&m, b, r.n, trunc, oob, r.sa.Addr)
		}
	}
	return m, c.opError(opRead, err)
}

func (c *Conn) putReader(r *reader) {
	r.iov.Base = nil // do not keep b reachable from the pool
	r.msg.Iov = nil
	c.readers.Put(r)
}

// fillErr sets m from an error queue entry of n bytes: the datagram the
// error is about, whose destination the kernel puts in the name (ip(7)).
func (c *Conn) fillErr(m *Message, b []byte, n int, trunc bool, oob []byte, dst [4]byte) {
	*m = Message{Buf: b, TTL: -1, TOS: -1, Truncated: trunc}
	m.Data = b[:min(n, len(b))]
	parseControl(oob, m)
	m.Src, m.Dst = m.ExtErr.Offender, netip.AddrFrom4(dst)
}

// fill sets m from n bytes received into b, the control messages and,
// for ping sockets, the sender's address.
func (c *Conn) fill(m *Message, b []byte, n int, trunc bool, oob []byte, src [4]byte) error {
	*m = Message{Buf: b, TTL: -1, TOS: -1, Truncated: trunc}
	if n > len(b) {
		n = len(b)
	}
	if c.ping {
		m.Data = b[:n]
		m.Src = netip.AddrFrom4(src)
		parseControl(oob, m)
		return nil
	}
	hl, err := headerLen(b[:n])
	if err != nil && trunc {
		return inputErrorf("read buffer of %d bytes cannot hold the IPv4 header", len(b))
	}
	if err != nil {
		return err
	}
	m.Header, m.Data = b[:hl], b[hl:n]
	m.Src = netip.AddrFrom4([4]byte(b[12:16]))
	m.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	m.TOS, m.TTL = int(b[1]), int(b[8])
	parseControl(oob, m)
	return nil
}

// headerLen returns the length of the IPv4 header b starts with.
func headerLen(b []byte) (int, error) {
	if len(b) < ipv4HeaderSize {
		return 0, errShortHeader
	}
	hl := int(b[0]&0x0f) * 4
	if b[0]>>4 != 4 || hl < ipv4HeaderSize || hl > len(b) {
		return 0, errShortHeader
	}
	return hl, nil
}

var errShortHeader = errors.New("raw: received packet without a whole IPv4 header")
