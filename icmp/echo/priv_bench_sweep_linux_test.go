//go:build privileged

package echo_test

import (
	"encoding/binary"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// sweepFloorTargets is the sweep of the bench row: 127.0.0.1 to
// 127.0.15.254, the host addresses of 127.0.0.0/20.
const sweepFloorTargets = 4094

// BenchmarkSweepFloor is the least a loopback sweep of 4,094 addresses
// can cost on this kernel and machine, whatever the program: echo
// requests built in advance, sent with bare sendmmsg(2) calls from one
// or two threads on sockets outside the runtime poller, every reply read
// with recvmmsg(2), no bookkeeping, no output and no process start. On
// loopback the kernel answers each request inside the sending call, so
// the sends are most of the time. Each op is one sweep; ms/sweep is the
// figure to hold against a whole `fping -g` run.
func BenchmarkSweepFloor(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	for _, threads := range []int{1, 2} {
		b.Run(map[int]string{1: "1thread", 2: "2threads"}[threads], func(b *testing.B) {
			var f *sweepFloor
			if err := h.Do(func() (err error) {
				f, err = newSweepFloor(threads)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			defer f.close()
			for b.Loop() {
				if got := f.sweep(); got != sweepFloorTargets {
					b.Fatalf("%d replies, want %d", got, sweepFloorTargets)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/sweep")
		})
	}
}

// sweepFloor holds the sockets and prebuilt messages of BenchmarkSweepFloor.
type sweepFloor struct {
	recv  int   // the socket the replies are read from
	send  []int // one per sending thread
	msgs  [][]mmsg
	rmsgs []mmsg
}

type mmsg struct {
	hdr unix.Msghdr
	n   uint32
	_   [4]byte
}

func newSweepFloor(threads int) (*sweepFloor, error) {
	f := &sweepFloor{}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
	if err != nil {
		return nil, err
	}
	f.recv = fd
	// Room for every reply until the reader gets to it.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 32<<20); err != nil {
		f.close()
		return nil, err
	}
	for range threads {
		s, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
		if err != nil {
			f.close()
			return nil, err
		}
		// A sending socket takes no ICMP at all (raw(7) ICMP_FILTER), so
		// the kernel does not copy the replies to it.
		if err := unix.SetsockoptInt(s, unix.SOL_RAW, 1, -1); err != nil {
			f.close()
			return nil, err
		}
		f.send = append(f.send, s)
	}
	for t := range threads {
		lo, hi := sweepFloorTargets*t/threads, sweepFloorTargets*(t+1)/threads
		ms := make([]mmsg, hi-lo)
		for i := range ms {
			a := lo + i + 1
			pkt := echo.AppendRequest(nil, 0x5eef, uint16(a), echo.Token{}, uint32(a), 56)
			sa := &unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, byte(a >> 8), byte(a)}}
			iov := &unix.Iovec{Base: &pkt[0]}
			iov.SetLen(len(pkt))
			ms[i].hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(sa)), Namelen: unix.SizeofSockaddrInet4, Iov: iov, Iovlen: 1}
		}
		f.msgs = append(f.msgs, ms)
	}
	f.rmsgs = make([]mmsg, 256)
	for i := range f.rmsgs {
		buf := make([]byte, 128)
		iov := &unix.Iovec{Base: &buf[0]}
		iov.SetLen(len(buf))
		f.rmsgs[i].hdr = unix.Msghdr{Iov: iov, Iovlen: 1}
	}
	return f, nil
}

// sweep sends every request and returns how many echo replies came back.
func (f *sweepFloor) sweep() int {
	var wg sync.WaitGroup
	for t, ms := range f.msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for off := 0; off < len(ms); {
				n, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(f.send[t]), uintptr(unsafe.Pointer(&ms[off])), uintptr(min(256, len(ms)-off)), 0, 0, 0)
				if e != 0 {
					return
				}
				off += int(n)
			}
		}()
	}
	// On loopback every reply is queued by the time its request's send
	// returns, unless the kernel deferred the work to ksoftirqd: read
	// them after the sends, waiting in poll(2) only for stragglers.
	wg.Wait()
	got := 0
	for got < sweepFloorTargets {
		n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(f.recv), uintptr(unsafe.Pointer(&f.rmsgs[0])), uintptr(len(f.rmsgs)), unix.MSG_DONTWAIT, 0, 0)
		if e == unix.EAGAIN {
			if k, err := unix.Poll([]unix.PollFd{{Fd: int32(f.recv), Events: unix.POLLIN}}, 1000); err != nil || k == 0 {
				break
			}
			continue
		}
		if e != 0 {
			break
		}
		for i := range int(n) {
			m := unsafe.Slice(f.rmsgs[i].hdr.Iov.Base, f.rmsgs[i].n)
			if hl := int(m[0]&15) * 4; len(m) >= hl+8 && m[hl] == icmp.TypeEchoReply && binary.BigEndian.Uint16(m[hl+4:]) == 0x5eef {
				got++
			}
		}
	}
	return got
}

func (f *sweepFloor) close() {
	unix.Close(f.recv)
	for _, s := range f.send {
		unix.Close(s)
	}
}

// BenchmarkFloodFloor is the least a flood ping's round trip on loopback
// can cost here: one echo request sent with a bare sendto(2), its reply
// read with a bare recvmsg(2) taking the kernel timestamp, on a socket
// outside the runtime poller, as iputils' flood does (ping -f: the next
// request once the reply is in). Each op is one round trip.
func BenchmarkFloodFloor(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	var fd int
	if err := h.Do(func() (err error) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		b.Fatal(err)
	}
	// Echo replies only, as iputils' ICMP_FILTER (raw(7)): the socket
	// would otherwise read its own requests to 127.0.0.1 too.
	if err := unix.SetsockoptInt(fd, unix.SOL_RAW, 1, int(^uint32(1<<icmp.TypeEchoReply))); err != nil {
		b.Fatal(err)
	}
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	buf, oob := make([]byte, 1500), make([]byte, 128)
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	var seq uint16
	pkt := make([]byte, 0, 64)
	for b.Loop() {
		seq++
		pkt = echo.AppendRequest(pkt[:0], 0x5eef, seq, echo.Token{}, uint32(seq), 56)
		if _, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&pkt[0])), uintptr(len(pkt)), 0,
			uintptr(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet4); e != 0 {
			b.Fatal(e)
		}
		for {
			msg := unix.Msghdr{Iov: &iov, Iovlen: 1, Control: &oob[0], Controllen: uint64(len(oob))}
			n, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), 0)
			if e != 0 {
				b.Fatal(e)
			}
			if hl := int(buf[0]&15) * 4; int(n) >= hl+8 && buf[hl] == icmp.TypeEchoReply && binary.BigEndian.Uint16(buf[hl+6:]) == seq {
				break
			}
		}
	}
}
