package raw

import (
	"context"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxBatch is the most messages one recvmmsg/sendmmsg takes (UIO_MAXIOV).
const maxBatch = 1024

// A writeBatch holds the sendmmsg(2) arguments of one WriteBatch or
// WriteBatchTo and the closure handed to the poller, built once and
// pooled: a batch write allocates nothing.
type writeBatch struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet4
	// names6 replaces names on an IPv6 socket; scope resolves zones.
	names6 []unix.RawSockaddrInet6
	scope  func(netip.Addr) (uint32, error)
	n      int // messages sent by the last call
	errno  unix.Errno
	fn     func(fd uintptr) bool
}

func (c *Conn) getWriteBatch() *writeBatch {
	b, _ := c.wbatches.Get().(*writeBatch)
	if b == nil {
		b = &writeBatch{
			hdrs:  make([]mmsghdr, maxBatch),
			iovs:  make([]unix.Iovec, maxBatch),
			names: make([]unix.RawSockaddrInet4, maxBatch),
		}
		b.fn = b.send
	}
	if c.v6 && b.names6 == nil {
		b.names6 = make([]unix.RawSockaddrInet6, maxBatch)
		b.scope = c.scopeID
	}
	return b
}

func (b *writeBatch) send(fd uintptr) bool {
	for {
		n, e := sockcall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // send buffer full: wait until writable
		}
		b.n, b.errno = int(n), e
		return true
	}
}

// setup fills the headers for pkts, the i-th sent to dst(i).
func (b *writeBatch) setup(pkts [][]byte, dst func(int) netip.Addr) {
	b.hdrs, b.iovs, b.names = b.hdrs[:len(pkts)], b.iovs[:len(pkts)], b.names[:len(pkts)]
	for i, p := range pkts {
		b.iovs[i] = unix.Iovec{Base: unsafe.SliceData(p)}
		b.iovs[i].SetLen(len(p))
		b.hdrs[i] = mmsghdr{hdr: unix.Msghdr{Iov: &b.iovs[i]}}
		if b.scope != nil {
			// Zones were checked before the first send.
			d := dst(i)
			id, _ := b.scope(d)
			b.names6[i] = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: d.As16(), Scope_id: id}
			b.hdrs[i].hdr.Name, b.hdrs[i].hdr.Namelen = (*byte)(unsafe.Pointer(&b.names6[i])), unix.SizeofSockaddrInet6
		} else {
			b.names[i] = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: dst(i).As4()}
			b.hdrs[i].hdr.Name, b.hdrs[i].hdr.Namelen = (*byte)(unsafe.Pointer(&b.names[i])), unix.SizeofSockaddrInet4
		}
		b.hdrs[i].hdr.SetIovlen(1)
	}
	b.n, b.errno = 0, 0
}

func (c *Conn) writeBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	if len(pkts) == 0 {
		return 0, nil
	}
	for i, p := range pkts {
		if err := c.check(p, i); err != nil {
			return 0, err
		}
	}
	dst, err := c.dest(dst, pkts[0])
	if err != nil {
		return 0, err
	}
	if c.v6 {
		if _, err := c.scopeID(dst); err != nil {
			return 0, err
		}
	}
	return c.sendBatch(ctx, pkts, func(int) netip.Addr { return dst })
}

func (c *Conn) writeBatchTo(ctx context.Context, pkts [][]byte, dsts []netip.Addr) (int, error) {
	if len(dsts) != len(pkts) {
		return 0, inputErrorf("%d packets for %d destinations", len(pkts), len(dsts))
	}
	for i, p := range pkts {
		if err := c.check(p, i); err != nil {
			return 0, err
		}
		d, err := c.dest(dsts[i], p)
		if err == nil && c.v6 {
			_, err = c.scopeID(d)
		}
		if err != nil {
			return 0, packetError(i, "%v", err)
		}
	}
	return c.sendBatch(ctx, pkts, func(i int) netip.Addr {
		d, _ := c.dest(dsts[i], pkts[i]) // checked above
		return d
	})
}

// sendBatch sends pkts with as few sendmmsg(2) calls as the kernel
// allows. sendmmsg stops short when the send buffer fills, and the rest
// goes in the next round, after the poller saw room; it also stops at a
// packet the kernel refuses (an unreachable destination), whose error
// the next call returns: then sendBatch returns the count before it and
// that error, naming its destination.
func (c *Conn) sendBatch(ctx context.Context, pkts [][]byte, dst func(int) netip.Addr) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, c.opError(opWrite, err)
	}
	b := c.getWriteBatch()
	cw := c.watch(ctx, dirWrite)
	sent := 0
	var err error
	for sent < len(pkts) && err == nil {
		chunk := pkts[sent:min(len(pkts), sent+maxBatch)]
		off := sent
		b.setup(chunk, func(i int) netip.Addr { return dst(off + i) })
		err = c.rc.Write(b.fn)
		if c.retry(ctx, dirWrite, err) {
			err = nil
			continue
		}
		switch {
		case err != nil:
		case b.errno != 0:
			err = os.NewSyscallError("sendmmsg", b.errno)
		case b.n <= 0:
			err = os.NewSyscallError("sendmmsg", unix.EIO) // no progress: do not spin
		default:
			sent += b.n
		}
	}
	err = cw.done(ctx, err)
	clear(b.iovs[:cap(b.iovs)]) // do not keep the callers' buffers reachable
	b.hdrs, b.iovs, b.names = b.hdrs[:cap(b.hdrs)], b.iovs[:cap(b.iovs)], b.names[:cap(b.names)]
	c.wbatches.Put(b)
	if err != nil && sent < len(pkts) {
		return sent, c.opErrorTo(opWrite, dst(sent), err)
	}
	return sent, c.opError(opWrite, err)
}
