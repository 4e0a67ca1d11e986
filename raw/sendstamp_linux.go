package raw

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendStampFlags are the SO_TIMESTAMPING flags of EnableSendStamps:
// software transmit stamps, reported, keyed by send (OPT_ID), without the
// packet (OPT_TSONLY), so that the error queue holds just the stamps.
const sendStampFlags = unix.SOF_TIMESTAMPING_TX_SOFTWARE | unix.SOF_TIMESTAMPING_SOFTWARE |
	unix.SOF_TIMESTAMPING_OPT_ID | unix.SOF_TIMESTAMPING_OPT_TSONLY

// stampOOB fits the control messages of one stamp: scm_timestamping
// (three timespecs of 16 bytes) and the sock_extended_err of IP_RECVERR
// or IPV6_RECVERR with the offender's address, each with its header.
const stampOOB = 160

var errStampsRecvErr = errors.New("raw: send stamps on a RecvErr socket, whose reads take the error queue")

func (c *Conn) enableSendStamps() error {
	if c.recverr {
		// Config.SendStamps too: its reads take the stamps.
		return c.opError(opSet, inputErrorf("%v", errStampsRecvErr))
	}
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, sendStampFlags)
		if serr == unix.ENOPROTOOPT {
			// Before Linux 5.1 only the native-long form exists.
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPING_OLD, sendStampFlags)
		}
	})
	if err == nil && serr != nil {
		err = os.NewSyscallError("setsockopt SO_TIMESTAMPING", serr)
	}
	if err != nil {
		return c.opError(opSet, err)
	}
	r := &stampReader{}
	r.fn = r.read
	c.stamps.Store(r)
	c.stampsOn.Store(true)
	return nil
}

// stampReader reads a socket's error queue for send stamps. Its buffers
// and the function handed to the socket are made once: reading stamps
// does not allocate.
type stampReader struct {
	msg unix.Msghdr
	iov unix.Iovec
	buf [64]byte
	oob [stampOOB]byte
	st  []SendStamp
	n   int
	err unix.Errno
	fn  func(fd uintptr)
}

func (c *Conn) tryReadSendStamps(st []SendStamp) (int, error) {
	r := c.stamps.Swap(nil)
	if r == nil {
		if c.stampsOn.Load() {
			// Another call is reading: a reader of its own for this one.
			r = &stampReader{}
			r.fn = r.read
		} else {
			return 0, c.opError(opRead, inputErrorf("send stamps not enabled"))
		}
	}
	r.st, r.n, r.err = st, 0, 0
	err := c.rc.Control(r.fn)
	n := r.n
	if err == nil && r.err != 0 {
		err = os.NewSyscallError("recvmsg", r.err)
	}
	r.st = nil
	c.stamps.CompareAndSwap(nil, r)
	return n, c.opError(opRead, err)
}

// read takes queued stamps without waiting until r.st is full or the
// queue is empty (recvmsg(2) with MSG_ERRQUEUE, ip(7)). The call cannot
// block, so it is made with RawSyscall.
func (r *stampReader) read(fd uintptr) {
	for r.n < len(r.st) {
		r.iov = unix.Iovec{Base: &r.buf[0]}
		r.iov.SetLen(len(r.buf))
		r.msg = unix.Msghdr{Iov: &r.iov, Control: &r.oob[0]}
		r.msg.SetIovlen(1)
		r.msg.SetControllen(len(r.oob))
		_, _, e := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.msg)),
			unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		switch e {
		case 0:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return
		default:
			r.err = e
			return
		}
		if s, ok := parseSendStamp(r.oob[:min(int(r.msg.Controllen), len(r.oob))]); ok {
			r.st[r.n] = s
			r.n++
		}
	}
}

// parseSendStamp reads a send stamp from an error queue entry's control
// messages: the software time of SCM_TIMESTAMPING (the first of its
// three times), and the key of the sock_extended_err whose origin is
// SO_EE_ORIGIN_TIMESTAMPING (ee_data). Anything else is not a stamp.
func parseSendStamp(oob []byte) (SendStamp, bool) {
	var s SendStamp
	var haveKey, haveTime bool
	walkControl(oob, func(level, typ int32, data []byte) {
		switch {
		case level == unix.SOL_SOCKET && (typ == unix.SO_TIMESTAMPING_NEW || typ == unix.SO_TIMESTAMPING_OLD):
			s.Time, haveTime = parseStampTime(typ, data)
		case (level == unix.IPPROTO_IP && typ == unix.IP_RECVERR ||
			level == unix.IPPROTO_IPV6 && typ == unix.IPV6_RECVERR) && len(data) >= sizeofExtErr:
			// struct sock_extended_err: ee_errno, ee_origin, ee_type,
			// ee_code, ee_pad, ee_info, ee_data (the key).
			if unix.Errno(binary.NativeEndian.Uint32(data)) == unix.ENOMSG && data[4] == unix.SO_EE_ORIGIN_TIMESTAMPING {
				s.Key, haveKey = binary.NativeEndian.Uint32(data[12:]), true
			}
		}
	})
	return s, haveKey && haveTime
}

// optRxFilter is SOF_TIMESTAMPING_OPT_RX_FILTER (Linux 6.8, not yet in
// x/sys): software stamps are reported for received packets only when
// asked for (SOF_TIMESTAMPING_RX_SOFTWARE), so the packets a
// Config.SendStamps socket reads carry no SCM_TIMESTAMPING message of
// their own beside SO_TIMESTAMPNS.
const optRxFilter = 1 << 17

// setSendStamps turns on Config.SendStamps: the flags of
// EnableSendStamps, with OPT_RX_FILTER where the kernel knows it.
func (s *sockopts) setSendStamps() {
	if s.err != nil {
		return
	}
	err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, sendStampFlags|optRxFilter)
	if err == unix.EINVAL {
		err = unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, sendStampFlags)
	}
	if err == unix.ENOPROTOOPT {
		// Before Linux 5.1 only the native-long form exists.
		err = unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_OLD, sendStampFlags)
	}
	if err != nil {
		s.err = os.NewSyscallError("setsockopt SO_TIMESTAMPING", err)
	}
}

// scmTSOptID is SCM_TS_OPT_ID (Linux 6.13, include/uapi/asm-generic/
// socket.h; not yet in x/sys): a control message naming the key of one
// send's stamp instead of the socket's counter.
const scmTSOptID = 81

var perSendKeys = sync.OnceValue(func() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 6, 13)
})

// kernelAtLeast reports whether a kernel release ("6.18.4-foo") is at
// least major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(release, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

func perSendStampKeys() bool { return perSendKeys() }

// parseStampTime reads the software time of an SCM_TIMESTAMPING message
// (the first of its three times); false when it is zero or short.
func parseStampTime(typ int32, data []byte) (time.Time, bool) {
	var t time.Time
	switch {
	case typ == unix.SO_TIMESTAMPING_NEW && len(data) >= 16:
		// struct scm_timestamping64: __kernel_timespec, 64-bit fields.
		t = time.Unix(int64(binary.NativeEndian.Uint64(data)), int64(binary.NativeEndian.Uint64(data[8:])))
	case typ == unix.SO_TIMESTAMPING_OLD && len(data) >= 2*unix.SizeofLong:
		// struct scm_timestamping: timespecs of native longs.
		if unix.SizeofLong == 8 {
			t = time.Unix(int64(binary.NativeEndian.Uint64(data)), int64(binary.NativeEndian.Uint64(data[8:])))
		} else {
			t = time.Unix(int64(int32(binary.NativeEndian.Uint32(data))), int64(int32(binary.NativeEndian.Uint32(data[4:]))))
		}
	default:
		return t, false
	}
	return t, t.UnixNano() != 0
}
