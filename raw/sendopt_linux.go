package raw

import (
	"context"
	"encoding/binary"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendmsgOOBSize holds the largest set of control messages a write
// carries: a TOS or traffic class int, an in_pktinfo or in6_pktinfo and
// a stamp key.
const sendmsgOOBSize = 96

// A msgWriter holds the sendmsg(2) arguments of one WriteToWith.
type msgWriter struct {
	sa    unix.RawSockaddrInet4
	sa6   unix.RawSockaddrInet6
	iov   unix.Iovec
	hdr   unix.Msghdr
	oob   [sendmsgOOBSize]byte
	n     int
	errno unix.Errno
	fn    func(fd uintptr) bool
}

func (w *msgWriter) send(fd uintptr) bool {
	for {
		n, e := sockcall(unix.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&w.hdr)), 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		w.n, w.errno = int(n), e
		return true
	}
}

// putCmsg appends one control message to w.oob at off and returns the
// offset past it.
func (w *msgWriter) putCmsg(off int, level, typ int32, data []byte) int {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&w.oob[off]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(w.oob[off+unix.CmsgLen(0):], data)
	return off + unix.CmsgSpace(len(data))
}

// control writes o's control messages into w.oob and returns their
// length.
func (w *msgWriter) control(o *SendOptions, v6 bool) int {
	clear(w.oob[:])
	off := 0
	if o.TOS >= 0 {
		var v [4]byte
		binary.NativeEndian.PutUint32(v[:], uint32(o.TOS))
		if v6 {
			off = w.putCmsg(off, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, v[:])
		} else {
			off = w.putCmsg(off, unix.IPPROTO_IP, unix.IP_TOS, v[:])
		}
	}
	if o.Source.IsValid() {
		if v6 {
			// struct in6_pktinfo: the source address, then the
			// interface index (0: the route's).
			var pi [unix.SizeofInet6Pktinfo]byte
			a := o.Source.As16()
			copy(pi[:], a[:])
			off = w.putCmsg(off, unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, pi[:])
		} else {
			// struct in_pktinfo: ifindex 0, ipi_spec_dst the source
			// (ip(7): "the local source address of the packet").
			var pi [unix.SizeofInet4Pktinfo]byte
			a := o.Source.As4()
			copy(pi[4:8], a[:])
			off = w.putCmsg(off, unix.IPPROTO_IP, unix.IP_PKTINFO, pi[:])
		}
	}
	if o.Stamp {
		var v [4]byte
		binary.NativeEndian.PutUint32(v[:], o.StampKey)
		off = w.putCmsg(off, unix.SOL_SOCKET, scmTSOptID, v[:])
	}
	return off
}

// WriteToWith is WriteToAddr with per-packet options, sent as control
// messages (sendmsg(2)); it works on raw and ping sockets alike. It does
// not allocate in steady state when ctx cannot be cancelled.
func (c *Conn) WriteToWith(ctx context.Context, b []byte, dst netip.Addr, o SendOptions) (int, error) {
	if err := c.check(b, -1); err != nil {
		return 0, err
	}
	dst, err := c.dest(dst, b)
	if err != nil {
		return 0, err
	}
	if o.Source.IsValid() && (o.Source.Is6() && !o.Source.Is4In6()) != c.v6 {
		return 0, c.opErrorTo(opWrite, dst, inputErrorf("raw: source %v is not of the socket's family", o.Source))
	}
	o.Source = o.Source.Unmap()
	w, _ := c.msgWriters.Get().(*msgWriter)
	if w == nil {
		w = &msgWriter{}
		w.fn = w.send
	}
	if c.v6 {
		if w.sa6, err = c.sockaddr6(dst); err != nil {
			c.msgWriters.Put(w)
			return 0, err
		}
		w.hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&w.sa6)), Namelen: unix.SizeofSockaddrInet6}
	} else {
		w.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: dst.As4()}
		w.hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&w.sa)), Namelen: unix.SizeofSockaddrInet4}
	}
	w.iov = unix.Iovec{Base: unsafe.SliceData(b)}
	w.iov.SetLen(len(b))
	w.hdr.Iov, w.hdr.Iovlen = &w.iov, 1
	if n := w.control(&o, c.v6); n > 0 {
		w.hdr.Control = &w.oob[0]
		w.hdr.SetControllen(n)
	}
	w.n, w.errno = 0, 0
	if err := ctx.Err(); err != nil {
		c.msgWriters.Put(w)
		return 0, c.opError(opWrite, err)
	}
	cw := c.watch(ctx, dirWrite)
	err = c.rc.Write(w.fn)
	for c.retry(ctx, dirWrite, err) {
		err = c.rc.Write(w.fn)
	}
	err = cw.done(ctx, err)
	n := w.n
	if err == nil && w.errno != 0 {
		err = os.NewSyscallError("sendmsg", w.errno)
		n = 0
	}
	w.iov, w.hdr = unix.Iovec{}, unix.Msghdr{}
	c.msgWriters.Put(w)
	return n, c.opErrorTo(opWrite, dst, err)
}
