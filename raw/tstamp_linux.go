package raw

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/hrtimer"
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
//
// The work item patches kernel text (static_branch_enable), which takes
// from 0.1 to 3 ms in a VM. Between checks it sleeps stampStep on a
// timerfd: a Go timer sleep rounds up to a whole millisecond (the
// runtime waits in epoll_wait(2)), which made every start that had to
// wait at all wait 1 ms or more.
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
	var timer *hrtimer.Timer
	defer func() {
		if timer != nil {
			timer.Close()
		}
	}()
	for deadline := time.Now().Add(maxStampWait); time.Now().Before(deadline); {
		if stamped, ok := stampedOnArrival(fd, self); stamped || !ok {
			return
		}
		if timer == nil {
			timer, _ = hrtimer.New()
		}
		if timer == nil || timer.Sleep(stampStep) != nil {
			// No timer file (out of descriptors): a Go sleep still
			// waits, if a millisecond at a time.
			time.Sleep(stampStep)
		}
	}
}

// stampedOnArrival sends one datagram to self through fd and reports
// whether its stamp was taken on arrival; ok is false when it could not
// tell.
func stampedOnArrival(fd int, self unix.Sockaddr) (stamped, ok bool) {
	var b [1]byte
	var oob [32]byte // unix.CmsgSpace(16): one struct timespec
	if unix.Sendto(fd, b[:], 0, self) != nil {
		return false, false
	}
	sent := time.Now()
	_, oobn, _, _, err := unix.Recvmsg(fd, b[:], oob[:], unix.MSG_DONTWAIT)
	if err != nil {
		return false, false // not delivered within the send: no loopback to judge by
	}
	var m Message
	parseControl(oob[:oobn], &m)
	return !m.Received.IsZero() && !m.Received.After(sent), true
}

// maxStampWait bounds awaitArrivalStamps: the work item runs within
// microseconds on an idle machine and within milliseconds on a busy one.
// stampStep is the pause between its checks.
const (
	maxStampWait = 50 * time.Millisecond
	stampStep    = 25 * time.Microsecond
)
