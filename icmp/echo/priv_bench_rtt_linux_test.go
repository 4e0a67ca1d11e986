//go:build privileged

package echo_test

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// BenchmarkRTTFloor is the loopback round trip a Go program measures as
// iputils does, with nothing of rawkit: one echo request to 127.0.0.1
// every 5 ms (time.Sleep between), the send time read just before a bare
// sendto(2) on a raw ICMP socket kept out of the runtime poller, and the
// reply's kernel receive stamp (SO_TIMESTAMPNS), waited for with poll(2)
// and read with recvmsg(2). Each op is one echo; it reports the median
// round trip in µs (rtt-us). It runs in the caller's network namespace,
// so that scripts/bench.sh sets it beside iputils' median on the same
// loopback: the part of rawkit's gap to iputils that any Go program on
// this machine has (the runtime's timer wake-up before each send).
func BenchmarkRTTFloor(b *testing.B) {
	netlabtest.Privileged(b)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.IPPROTO_ICMP)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		b.Fatal(err)
	}
	// Echo replies only, as iputils' ICMP_FILTER (raw(7)).
	if err := unix.SetsockoptInt(fd, unix.SOL_RAW, 1, int(^uint32(1<<icmp.TypeEchoReply))); err != nil {
		b.Fatal(err)
	}
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	buf, oob := make([]byte, 1500), make([]byte, 128)
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	id := uint16(unix.Getpid())
	var seq uint16
	pkt := make([]byte, 0, 64)
	var rtts []float64
	for b.Loop() {
		seq++
		pkt = echo.AppendRequest(pkt[:0], id, seq, echo.Token{}, uint32(seq), 56)
		sent := time.Now()
		if _, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&pkt[0])), uintptr(len(pkt)), 0,
			uintptr(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet4); e != 0 {
			b.Fatal(e)
		}
		for deadline := sent.Add(time.Second); ; {
			if time.Now().After(deadline) {
				b.Fatalf("no reply to echo %d", seq)
			}
			if _, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR {
				b.Fatal(err)
			}
			msg := unix.Msghdr{Iov: &iov, Iovlen: 1, Control: &oob[0], Controllen: uint64(len(oob))}
			n, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_DONTWAIT)
			if e == unix.EAGAIN {
				continue
			}
			if e != 0 {
				b.Fatal(e)
			}
			hl := int(buf[0]&15) * 4
			if int(n) < hl+8 || buf[hl] != icmp.TypeEchoReply ||
				binary.BigEndian.Uint16(buf[hl+4:]) != id || binary.BigEndian.Uint16(buf[hl+6:]) != seq {
				continue
			}
			at, ok := stampOf(oob[:msg.Controllen])
			if !ok {
				b.Fatal("reply without a receive stamp")
			}
			rtts = append(rtts, float64(at.Sub(sent).Nanoseconds())/1e3)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	slices.Sort(rtts)
	b.ReportMetric(rtts[len(rtts)/2], "rtt-us")
}

// stampOf returns the SO_TIMESTAMPNS stamp among the control messages.
func stampOf(oob []byte) (time.Time, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}
