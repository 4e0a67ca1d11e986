package icmp

import (
	"encoding/binary"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/raw"
)

// stampFlags are the SO_TIMESTAMPING flags of the probe socket: software
// transmit stamps, reported, keyed by send (OPT_ID), without the packet
// (OPT_TSONLY), so that the error queue holds only the stamps
// (Documentation/networking/timestamping.rst).
const stampFlags = unix.SOF_TIMESTAMPING_TX_SOFTWARE | unix.SOF_TIMESTAMPING_SOFTWARE |
	unix.SOF_TIMESTAMPING_OPT_ID | unix.SOF_TIMESTAMPING_OPT_TSONLY

// stampOOB fits the control messages of one stamp: scm_timestamping
// (three timespecs of 16 bytes) and the sock_extended_err of IP_RECVERR
// or IPV6_RECVERR with the offender's address, each with its header.
const stampOOB = 160

// enableStamps asks the kernel for the send stamps of c's packets. The
// send numbers start from 0 here, before the first probe. It reports
// whether the kernel took the option; a kernel that does not leaves the
// round trips to the times taken before the writes.
func enableStamps(c *raw.Conn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, stampFlags)
		if serr == unix.ENOPROTOOPT {
			// Before Linux 5.1 only the native-long form exists.
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPING_OLD, stampFlags)
		}
	})
	return err == nil && serr == nil
}

// probeRaw is the probe socket: a pathRaw that reports its packets'
// send stamps.
type probeRaw struct {
	pathRaw
	*stampReader
}

// newProbeConn wraps the probe socket, with send stamps when the kernel
// gives them (*stamps is then set).
func newProbeConn(c *raw.Conn, stamps *bool) pathConn {
	if *stamps = enableStamps(c); *stamps {
		return &probeRaw{pathRaw: pathRaw{c: c}, stampReader: newStampReader(c)}
	}
	return &pathRaw{c: c}
}

// stampReader reads a probe socket's error queue. Its buffers and the
// function handed to the socket are made once: reading stamps does not
// allocate.
type stampReader struct {
	c   *raw.Conn
	msg unix.Msghdr
	iov unix.Iovec
	buf [64]byte
	oob [stampOOB]byte
	st  []sendStamp
	n   int
	err unix.Errno
	fn  func(fd uintptr)
}

func newStampReader(c *raw.Conn) *stampReader {
	s := &stampReader{c: c}
	s.fn = s.read
	return s
}

// TryReadStamps implements sendStamper.
func (s *stampReader) TryReadStamps(st []sendStamp) (int, error) {
	rc, err := s.c.SyscallConn()
	if err != nil {
		return 0, err
	}
	s.st, s.n, s.err = st, 0, 0
	err = rc.Control(s.fn)
	s.st = nil
	if err == nil && s.err != 0 {
		err = opErr("recvmsg", s.err)
	}
	return s.n, err
}

// read takes queued stamps without waiting until s.st is full or the
// queue is empty (recvmsg(2) with MSG_ERRQUEUE, ip(7)).
func (s *stampReader) read(fd uintptr) {
	for s.n < len(s.st) {
		s.iov = unix.Iovec{Base: &s.buf[0]}
		s.iov.SetLen(len(s.buf))
		s.msg = unix.Msghdr{Iov: &s.iov, Control: &s.oob[0]}
		s.msg.SetIovlen(1)
		s.msg.SetControllen(len(s.oob))
		_, _, e := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.msg)),
			unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		switch e {
		case 0:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return
		default:
			s.err = e
			return
		}
		if key, at, ok := parseStamp(s.oob[:min(int(s.msg.Controllen), len(s.oob))]); ok {
			s.st[s.n] = sendStamp{key: key, at: at}
			s.n++
		}
	}
}

// parseStamp reads a send stamp from an error queue entry's control
// messages: the software time of SCM_TIMESTAMPING (the first of its
// three times), and the key of the sock_extended_err whose origin is
// SO_EE_ORIGIN_TIMESTAMPING (ee_data). Anything else is not a stamp.
func parseStamp(oob []byte) (key uint32, at time.Time, ok bool) {
	const hdr = unix.SizeofCmsghdr
	var haveKey, haveTime bool
	for len(oob) >= hdr {
		var l int
		if hdr == 16 {
			l = int(binary.NativeEndian.Uint64(oob))
		} else {
			l = int(binary.NativeEndian.Uint32(oob))
		}
		if l < hdr || l > len(oob) {
			break
		}
		level := int32(binary.NativeEndian.Uint32(oob[hdr-8:]))
		typ := int32(binary.NativeEndian.Uint32(oob[hdr-4:]))
		data := oob[hdr:l]
		switch {
		case level == unix.SOL_SOCKET && typ == unix.SO_TIMESTAMPING_NEW && len(data) >= 16:
			// struct scm_timestamping64: __kernel_timespec, 64-bit
			// fields; the software time is the first.
			at = time.Unix(int64(binary.NativeEndian.Uint64(data)), int64(binary.NativeEndian.Uint64(data[8:])))
			haveTime = at.UnixNano() != 0
		case level == unix.SOL_SOCKET && typ == unix.SO_TIMESTAMPING_OLD && len(data) >= 2*unix.SizeofLong:
			// struct scm_timestamping: timespecs of native longs.
			if unix.SizeofLong == 8 {
				at = time.Unix(int64(binary.NativeEndian.Uint64(data)), int64(binary.NativeEndian.Uint64(data[8:])))
			} else {
				at = time.Unix(int64(int32(binary.NativeEndian.Uint32(data))), int64(int32(binary.NativeEndian.Uint32(data[4:]))))
			}
			haveTime = at.UnixNano() != 0
		case (level == unix.IPPROTO_IP && typ == unix.IP_RECVERR ||
			level == unix.IPPROTO_IPV6 && typ == unix.IPV6_RECVERR) && len(data) >= sizeofExtErr:
			// struct sock_extended_err: ee_errno, ee_origin, ee_type,
			// ee_code, ee_pad, ee_info, ee_data (the key).
			if unix.Errno(binary.NativeEndian.Uint32(data)) == unix.ENOMSG && data[4] == unix.SO_EE_ORIGIN_TIMESTAMPING {
				key, haveKey = binary.NativeEndian.Uint32(data[12:]), true
			}
		}
		next := (l + unix.SizeofPtr - 1) &^ (unix.SizeofPtr - 1)
		if next >= len(oob) {
			break
		}
		oob = oob[next:]
	}
	return key, at, haveKey && haveTime
}

// sizeofExtErr is the size of struct sock_extended_err.
const sizeofExtErr = int(unsafe.Sizeof(unix.SockExtendedErr{}))
