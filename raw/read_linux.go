package raw

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// A reader holds the recvmsg(2) arguments of one read and the closure
// handed to the poller, built once and pooled: that is what keeps
// ReadMsg free of allocations.
type reader struct {
	msg   unix.Msghdr
	iov   unix.Iovec
	sa    unix.RawSockaddrInet4
	n     int
	errno unix.Errno
	fn    func(fd uintptr) bool
	oob   [oobSize]byte
}

func (c *Conn) getReader() *reader {
	r, _ := c.readers.Get().(*reader)
	if r == nil {
		r = &reader{}
		r.fn = r.recv
	}
	return r
}

// recv is called by the poller when the socket may be readable; false
// means "not yet", and the poller waits for the next readiness.
func (r *reader) recv(fd uintptr) bool {
	for {
		n, _, e := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.msg)), 0)
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

func (c *Conn) readMsg(ctx context.Context, b []byte) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, c.opError(opRead, err)
	}
	r := c.getReader()
	r.msg = unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&r.sa)),
		Namelen: unix.SizeofSockaddrInet4,
		Iov:     &r.iov,
		Control: &r.oob[0],
	}
	r.msg.SetIovlen(1)
	r.msg.SetControllen(oobSize)
	r.iov = unix.Iovec{Base: unsafe.SliceData(b)}
	r.iov.SetLen(len(b))
	r.n, r.errno = 0, 0

	w := c.watch(ctx, dirRead)
	err := c.rc.Read(r.fn)
	for c.retry(ctx, dirRead, err) {
		err = c.rc.Read(r.fn)
	}
	err = w.done(ctx, err)

	var m Message
	if err == nil && r.errno != 0 {
		err = os.NewSyscallError("recvmsg", r.errno)
	}
	if err == nil {
		trunc := r.msg.Flags&unix.MSG_TRUNC != 0
		err = c.fill(&m, b, r.n, trunc, r.oob[:r.msg.Controllen], r.sa.Addr)
	}
	r.iov.Base = nil // do not keep b reachable from the pool
	r.msg.Iov = nil
	c.readers.Put(r)
	return m, c.opError(opRead, err)
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
	bt := c.getReadBatch(min(len(ms), maxBatch))
	ms = ms[:len(bt.msgs)]
	defer c.putBatch(bt)
	for i := range ms {
		bt.bufs[i] = ms[i].Buf
		bt.msgs[i] = ipv4.Message{Buffers: bt.bufs[i : i+1], OOB: bt.oob[i*oobSize : (i+1)*oobSize]}
	}
	w := c.watch(ctx, dirRead)
	n, err := c.p4.ReadBatch(bt.msgs, 0)
	for c.retry(ctx, dirRead, err) {
		n, err = c.p4.ReadBatch(bt.msgs, 0)
	}
	err = w.done(ctx, err)
	if err != nil {
		return 0, c.opError(opRead, err)
	}
	for i := range n {
		x := &bt.msgs[i]
		var src [4]byte
		if a, ok := x.Addr.(*net.UDPAddr); ok {
			if ip4 := a.IP.To4(); ip4 != nil {
				src = [4]byte(ip4)
			}
		}
		trunc := x.Flags&unix.MSG_TRUNC != 0
		if err := c.fill(&ms[i], ms[i].Buf, x.N, trunc, x.OOB[:x.NN], src); err != nil {
			return i, c.opError(opRead, err)
		}
	}
	return n, nil
}
