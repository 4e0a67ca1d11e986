package icmp

import (
	"encoding/binary"
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fastIO is the I/O of the flood loop on a raw socket: one sendto and
// non-blocking recvmsg calls made through SyscallConn().Control with
// RawSyscall. A flood makes a write and a read per round trip, each a few
// microseconds of kernel work on loopback, and the runtime's bookkeeping
// around a blocking system call (entersyscall, the poller, handing the P
// over) cost as much again; these calls never block (the socket is
// non-blocking), so they can skip it. When nothing is queued the loop
// falls back to the poller (Conn.ReadBatch with a deadline) to wait.
//
// Only raw sockets get one: their reads carry the IPv4 header, which gives
// the source and TTL without the control messages a ping socket needs.
type fastIO struct {
	rc syscall.RawConn

	// Arguments and results of the calls below, kept here with the
	// bound method values so that a call allocates nothing.
	pkt    []byte
	sa     unix.RawSockaddrInet4
	buf    []byte
	iov    unix.Iovec
	msg    unix.Msghdr
	oob    [256]byte
	n      int
	errno  syscall.Errno
	sendFn func(uintptr)
	recvFn func(uintptr)
}

func newFastIO(rc syscall.RawConn) *fastIO {
	f := &fastIO{rc: rc}
	f.sa.Family = unix.AF_INET
	f.sendFn, f.recvFn = f.doSend, f.doRecv
	return f
}

func (f *fastIO) doSend(fd uintptr) {
	_, _, f.errno = unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&f.pkt[0])), uintptr(len(f.pkt)),
		0, uintptr(unsafe.Pointer(&f.sa)), unsafe.Sizeof(f.sa))
}

func (f *fastIO) doRecv(fd uintptr) {
	f.iov.Base = &f.buf[0]
	f.iov.SetLen(len(f.buf))
	f.msg = unix.Msghdr{Iov: &f.iov, Control: &f.oob[0]}
	f.msg.SetIovlen(1)
	f.msg.SetControllen(len(f.oob))
	var n uintptr
	n, _, f.errno = unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&f.msg)), unix.MSG_DONTWAIT)
	f.n = int(n)
}

// send writes b to dst. It reports false, and sends nothing, when the
// socket's send buffer is full: the caller then writes through the poller.
func (f *fastIO) send(b []byte, dst netip.Addr) (bool, error) {
	f.pkt, f.sa.Addr = b, dst.As4()
	err := f.rc.Control(f.sendFn)
	f.pkt = nil
	switch {
	case err != nil:
		return false, err
	case f.errno == unix.EAGAIN:
		return false, nil
	case f.errno != 0:
		return true, os.NewSyscallError("sendto", f.errno)
	}
	return true, nil
}

// recv reads one queued packet into m without waiting; false means none
// was queued.
func (f *fastIO) recv(m *Message) (bool, error) {
	f.buf = m.Buf
	err := f.rc.Control(f.recvFn)
	f.buf = nil
	switch {
	case err != nil:
		return false, err
	case f.errno == unix.EAGAIN || f.errno == unix.EINTR:
		return false, nil
	case f.errno != 0:
		return false, os.NewSyscallError("recvmsg", f.errno)
	}
	b := m.Buf[:f.n]
	if len(b) < 20 || b[0]>>4 != 4 || len(b) < int(b[0]&15)*4 {
		m.Data = nil // not an IPv4 packet: the caller skips it
		return true, nil
	}
	m.Data = b[int(b[0]&15)*4:]
	m.Src = netip.AddrFrom4([4]byte(b[12:16]))
	m.TTL = int(b[8])
	m.Received = f.timestamp()
	return true, nil
}

// timestamp finds SCM_TIMESTAMPNS among the control messages (socket(7)).
func (f *fastIO) timestamp() time.Time {
	c := f.oob[:min(int(f.msg.Controllen), len(f.oob))]
	for len(c) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(c) {
			break
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && l >= unix.CmsgLen(16) {
			d := c[unix.CmsgLen(0):]
			return time.Unix(int64(binary.NativeEndian.Uint64(d)), int64(binary.NativeEndian.Uint64(d[8:])))
		}
		c = c[min(unix.CmsgSpace(l-unix.SizeofCmsghdr), len(c)):]
	}
	return time.Time{}
}
