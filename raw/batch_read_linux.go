package raw

import (
	"context"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) and sendmmsg(2): a message
// header and the byte count the kernel fills in. Go lays it out as C
// does, padding included.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// A readBatch holds the recvmmsg(2) arguments of one ReadBatch: headers,
// vectors, names and control buffers for up to maxBatch messages, and the
// closures handed to the poller, built once and pooled. The sources come
// from each packet's header (raw sockets) or name (ping sockets), so a
// batch read allocates nothing, unlike x/net's, which makes a net.Addr
// per message.
type readBatch struct {
	hdrs    []mmsghdr
	iovs    []unix.Iovec
	names   []unix.RawSockaddrInet4
	names6  []unix.RawSockaddrInet6 // IPv6 sockets: always named
	oob     []byte
	named   bool // ping, RecvErr or IPv6 socket: the kernel writes the name
	v6      bool
	recverr bool
	stamps  bool       // Config.SendStamps: the error queue first
	n       int        // messages read
	errno   unix.Errno // of the failed call
	nerr    int        // hdrs[:nerr] are error queue entries
	ok      bool       // drainFn's result
	fn      func(fd uintptr) bool
	drainFn func(fd uintptr)
}

func (c *Conn) getReadBatch(n int) *readBatch {
	b, _ := c.rbatches.Get().(*readBatch)
	if b == nil {
		b = &readBatch{named: c.ping || c.recverr || c.v6, recverr: c.recverr, stamps: c.sendStamps, v6: c.v6}
		b.fn = b.recv
		if b.stamps {
			b.fn = b.recvStampsFirst
		}
		b.drainFn = func(fd uintptr) { b.ok = b.recvErrQueue(fd) }
	}
	if cap(b.hdrs) < n {
		b.hdrs = make([]mmsghdr, n)
		b.iovs = make([]unix.Iovec, n)
		b.names = make([]unix.RawSockaddrInet4, n)
		if b.v6 {
			b.names6 = make([]unix.RawSockaddrInet6, n)
		}
		b.oob = make([]byte, n*oobSize)
	}
	b.hdrs, b.iovs, b.names = b.hdrs[:n], b.iovs[:n], b.names[:n]
	if b.v6 {
		b.names6 = b.names6[:n]
	}
	return b
}

// setup points the headers at the callers' buffers.
func (b *readBatch) setup(ms []Message) {
	for i := range b.hdrs {
		h := &b.hdrs[i].hdr
		*h = unix.Msghdr{Iov: &b.iovs[i], Control: &b.oob[i*oobSize]}
		switch {
		case b.v6:
			h.Name = (*byte)(unsafe.Pointer(&b.names6[i]))
		case b.named:
			h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		}
		h.SetIovlen(1)
		b.iovs[i] = unix.Iovec{Base: unsafe.SliceData(ms[i].Buf)}
		b.iovs[i].SetLen(len(ms[i].Buf))
	}
	b.n, b.errno, b.nerr = 0, 0, 0
}

// reset readies the first n headers for a call: the kernel shortens the
// name and control lengths to what it wrote.
func (b *readBatch) reset(n int) {
	for i := range b.hdrs[:n] {
		h := &b.hdrs[i]
		switch {
		case b.v6:
			h.hdr.Namelen = unix.SizeofSockaddrInet6
		case b.named:
			h.hdr.Namelen = unix.SizeofSockaddrInet4
		}
		h.hdr.SetControllen(oobSize)
		h.hdr.Flags, h.n = 0, 0
	}
}

// recv is reader.recv for many messages: one recvmmsg(2), which on a
// non-blocking socket returns what is queued, up to len(hdrs), and the
// error queue on a RecvErr socket, one entry at a time.
func (b *readBatch) recv(fd uintptr) bool {
	for {
		b.reset(len(b.hdrs))
		n, e := sockcall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), 0, 0, 0)
		switch {
		case e == unix.EINTR:
			continue
		case e == 0 || (!b.recverr && e != unix.EAGAIN):
			b.n, b.errno, b.nerr = int(n), e, 0
			return true
		case !b.recverr:
			return false
		}
		if b.recvErrQueue(fd) || b.errno != 0 {
			return true
		}
		if e == unix.EAGAIN {
			return false
		}
		// The entry behind e was taken by a concurrent reader.
	}
}

// recvErrQueue reads error queue entries into the messages without
// waiting and reports whether it read any: one on a RecvErr socket, as
// many as are queued and fit with SendStamps, whose queue holds a stamp
// of every packet sent (recvmmsg(2) passes MSG_ERRQUEUE on to each
// recvmsg). An error other than EAGAIN is left in errno.
func (b *readBatch) recvErrQueue(fd uintptr) bool {
	want := 1
	if b.stamps {
		want = len(b.hdrs)
	}
	for {
		b.reset(want)
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(want),
			unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		case 0:
			b.n, b.nerr = int(n), int(n)
			return n > 0
		}
		b.errno = e
		return false
	}
}

// recvStampsFirst is recv for a SendStamps socket: the queued stamps
// (and errors), then the packets into the messages left. A packet's
// stamp is queued as it leaves, before any answer to it can arrive, so
// reading the error queue first hands each stamp over no later than the
// answer to its packet, and the reader need not wait for it.
func (b *readBatch) recvStampsFirst(fd uintptr) bool {
	for {
		k := 0
		if b.recvErrQueue(fd) {
			k = b.nerr
		} else if b.errno != 0 {
			return true
		}
		if k == len(b.hdrs) {
			return true
		}
		rest := b.hdrs[k:]
		for i := range rest {
			h := &rest[i]
			switch {
			case b.v6:
				h.hdr.Namelen = unix.SizeofSockaddrInet6
			case b.named:
				h.hdr.Namelen = unix.SizeofSockaddrInet4
			}
			h.hdr.SetControllen(oobSize)
			h.hdr.Flags, h.n = 0, 0
		}
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)), 0, 0, 0)
		switch {
		case e == unix.EINTR && k == 0:
			continue
		case e == 0:
			b.n = k + int(n)
			return true
		case k > 0:
			// EAGAIN, or the error of a queued ICMP error (sk_err,
			// which the read took): what was read stands, and the next
			// call reads that error from the queue.
			b.n = k
			return true
		case e == unix.EAGAIN:
			return false
		}
		// The error of an entry queued since: read it.
	}
}

func (c *Conn) readBatch(ctx context.Context, ms []Message) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	for i := range ms {
		if len(ms[i].Buf) == 0 {
			return 0, inputErrorf("batch message %d has no buffer", i)
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, c.opError(opRead, err)
	}
	ms = ms[:min(len(ms), maxBatch)]
	b := c.getReadBatch(len(ms))
	b.setup(ms)
	w := c.watch(ctx, dirRead)
	err := c.pollRead(ctx, b.fn, b.drainFn, &b.ok)
	err = w.done(ctx, err)
	if err == nil && b.errno != 0 {
		err = os.NewSyscallError("recvmmsg", b.errno)
	}
	n := 0
	for ; err == nil && n < b.n; n++ {
		h := &b.hdrs[n]
		trunc := h.hdr.Flags&unix.MSG_TRUNC != 0
		oob := b.oob[n*oobSize : n*oobSize+min(int(h.hdr.Controllen), oobSize)]
		switch {
		case b.v6 && n < b.nerr:
			c.fillErr6(&ms[n], ms[n].Buf, int(h.n), trunc, oob, &b.names6[n])
		case b.v6:
			c.fill6(&ms[n], ms[n].Buf, int(h.n), trunc, oob, &b.names6[n])
		case n < b.nerr:
			c.fillErr(&ms[n], ms[n].Buf, int(h.n), trunc, oob, b.names[n].Addr)
		default:
			err = c.fill(&ms[n], ms[n].Buf, int(h.n), trunc, oob, b.names[n].Addr)
		}
	}
	if err != nil && n > 0 {
		n-- // the message that failed to parse
	}
	clear(b.iovs) // do not keep the callers' buffers reachable
	c.rbatches.Put(b)
	if err != nil {
		return n, c.opError(opRead, err)
	}
	return n, nil
}
