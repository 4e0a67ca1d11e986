package raw

import (
	"time"

	"golang.org/x/sys/unix"
)

// awaitArrivalStamps waits, at most maxStampWait, until the kernel stamps
// received packets as they arrive. A socket's SO_TIMESTAMPNS switches
// that on for the whole system, but when no other socket had it on, the
// switch is left to a work item (net_enable_timestamp, net/core/dev.c),
// and until it has run, a packet is stamped only when it is read
// (__sock_recv_timestamp): an answer coming right after the socket was
// opened, as on a fast lab path, would get the time its reader woke up.
// The check sends a datagram to itself over loopback, which the kernel
// delivers within the send: its stamp must not be later than the time
// the send returned. Without a loopback (a namespace where lo is down)
// there is nothing to check with, and it returns at once. When stamps
// are on already, as while another stamping socket is open, it costs one
// datagram.
func awaitArrivalStamps() {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	lo := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil || unix.Bind(fd, lo) != nil {
		return
	}
	self, err := unix.Getsockname(fd)
	if err != nil {
		return
	}
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(16))
	for deadline := time.Now().Add(maxStampWait); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
		if unix.Sendto(fd, b[:], 0, self) != nil {
			return
		}
		sent := time.Now()
		_, oobn, _, _, err := unix.Recvmsg(fd, b[:], oob, unix.MSG_DONTWAIT)
		if err != nil {
			return // not delivered within the send: no loopback to judge by
		}
		var m Message
		parseControl(oob[:oobn], &m)
		if !m.Received.IsZero() && !m.Received.After(sent) {
			return
		}
	}
}

// maxStampWait bounds awaitArrivalStamps: the work item runs within
// microseconds on an idle machine and within milliseconds on a busy one.
const maxStampWait = 50 * time.Millisecond
