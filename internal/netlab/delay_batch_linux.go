//go:build linux

package netlab

import (
	"encoding/binary"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A burst of packets reaches a delay's queue within microseconds, but a
// reader that takes one packet per system call and the time after each
// stamps the last of the burst as many calls late as there are packets
// before it, and a chain of delays adds that up hop after hop: a trace
// sending all its probes at once would see longer round trips than one
// sending them a few at a time, through no fault of its own. So the
// delay reads the queue with recvmmsg(2), up to recvBatch packets a
// call, and counts each packet's delay from the time the kernel received
// it (NFQA_TIMESTAMP), or, for a packet without one, from the start of
// the call that read it: the packet was queued by then (or, for a call
// that had to wait, arrived as it began).
const (
	recvBatch   = 64
	recvMsgSize = 1024 // a packet message without payload (NFQNL_COPY_META)
)

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// batchReader holds the recvmmsg arguments of a delay's reads.
type batchReader struct {
	hdrs  [recvBatch]mmsghdr
	iovs  [recvBatch]unix.Iovec
	buf   []byte
	n     int
	errno unix.Errno
	start time.Time // when the call that read began
	fn    func(fd uintptr) bool

	beforeRead func() // tests: a slow reader
}

func newBatchReader() *batchReader {
	r := &batchReader{buf: make([]byte, recvBatch*recvMsgSize)}
	for i := range r.hdrs {
		r.iovs[i] = unix.Iovec{Base: &r.buf[i*recvMsgSize]}
		r.iovs[i].SetLen(recvMsgSize)
		r.hdrs[i].hdr.Iov = &r.iovs[i]
		r.hdrs[i].hdr.SetIovlen(1)
	}
	r.fn = r.read
	return r
}

func (r *batchReader) read(fd uintptr) bool {
	if r.beforeRead != nil {
		r.beforeRead()
	}
	for {
		r.start = time.Now()
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), recvBatch,
			unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), e
		return true
	}
}

// receive calls fn with the id of every queued packet, in order, and
// the time its delay counts from, until the socket is closed (nil) or
// fails.
func (r *batchReader) receive(q *nfqueue, fn func(id uint32, at time.Time)) error {
	for {
		err := q.rc.Read(r.fn)
		if err == nil && r.errno != 0 {
			err = os.NewSyscallError("recvmmsg", r.errno)
		}
		if err != nil {
			if q.isClosed() {
				return nil
			}
			return err
		}
		for i := range r.n {
			b := r.buf[i*recvMsgSize:][:min(int(r.hdrs[i].n), recvMsgSize)]
			// Netlink messages (netlink(7)): nlmsghdr, and for a
			// packet nfgenmsg and the attributes (nfnetlink_queue).
			for len(b) >= unix.NLMSG_HDRLEN {
				l := int(binary.NativeEndian.Uint32(b))
				if l < unix.NLMSG_HDRLEN || l > len(b) {
					break
				}
				// Other messages answer verdicts for packets that
				// close's batch verdict let go: nothing to do.
				if binary.NativeEndian.Uint16(b[4:]) == nfnlSubsysQueue<<8|nfqnlMsgPacket && l >= unix.NLMSG_HDRLEN+4 {
					if id, at, ok := packetInfo(b[unix.NLMSG_HDRLEN+4 : l]); ok {
						q.last.Store(id)
						fn(id, since(at, r.start))
					}
				}
				b = b[min((l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1), len(b)):]
			}
		}
	}
}

// maxStampAge bounds how far before its read a packet's receive time may
// be and still count: older means a clock step, not a queue.
const maxStampAge = time.Second

// since is the time a packet's delay counts from: its receive time at,
// when it has one that is not after the read began (read) and not
// implausibly older.
func since(at, read time.Time) time.Time {
	if at.IsZero() || at.After(read) || read.Sub(at) > maxStampAge {
		return read
	}
	return at
}
