package endpoint

import (
	"context"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// udpFast serves a UDP socket the way socat does, from one thread that
// waits in the kernel: epoll_wait(2) on an epoll set of its own holding
// the socket and an eventfd, then recvfrom(2) and sendto(2) without
// waiting. Through the runtime poller each datagram also costs a read
// that fails, the park of the goroutine and the scheduler's search for
// work around the netpoller's wait; one client in lockstep pays those on
// every round trip. Many clients of the one socket are served as before,
// one datagram at a time. The loop holds the socket's descriptor
// (rc.Control), so that Close cannot close it under the loop, and its
// thread (LockOSThread), so that the goroutine does not change threads
// between the calls. ctx's end and Close end the wait by writing the
// eventfd, Close before it closes the socket. It returns false, having
// served nothing, when it cannot run (no eventfd or epoll set).
func (s *Server) udpFast(ctx context.Context, pc *net.UDPConn) (bool, error) {
	rc, err := pc.SyscallConn()
	if err != nil {
		return false, nil
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return false, nil
	}
	// Close and ctx's end may call wake as the loop ends: the eventfd is
	// closed under mu, so that wake never writes to its number reused.
	var mu sync.Mutex
	open := true
	defer func() {
		mu.Lock()
		open = false
		unix.Close(efd)
		mu.Unlock()
	}()
	wake := func() {
		mu.Lock()
		if open {
			one := [8]byte{1}
			_, _ = unix.Write(efd, one[:])
		}
		mu.Unlock()
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return false, nil
	}
	defer unix.Close(ep)
	closed := &net.OpError{Op: "read", Net: pc.LocalAddr().Network(), Source: pc.LocalAddr(), Err: net.ErrClosed}
	if !s.setWake(wake) {
		return true, closed // as a read through the poller would fail
	}
	defer s.setWake(nil)
	stop := context.AfterFunc(ctx, wake)
	defer stop()
	var lerr error
	runtime.LockOSThread()
	cerr := rc.Control(func(fd uintptr) { lerr = s.udpFastLoop(fd, ep, efd) })
	runtime.UnlockOSThread()
	switch {
	case cerr != nil:
		return true, ctxOr(ctx, cerr)
	case lerr == nil && ctx.Err() == nil:
		return true, closed // woken by Close
	}
	return true, lerr
}

// udpFastLoop is udpFast's loop on descriptor fd, waiting in the epoll
// set ep; it returns when efd is written.
func (s *Server) udpFastLoop(fd uintptr, ep, efd int) error {
	buf := make([]byte, s.cfg.MaxSize)
	var scratch [64]byte
	var from unix.RawSockaddrAny
	for _, f := range []int{int(fd), efd} {
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, f, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(f)}); err != nil {
			return os.NewSyscallError("epoll_ctl", err)
		}
	}
	wake := []unix.PollFd{{Fd: int32(efd), Events: unix.POLLIN}}
	var evs [2]unix.EpollEvent
	for {
		k, err := unix.EpollWait(ep, evs[:], -1)
		if err != nil && err != unix.EINTR {
			return os.NewSyscallError("epoll_wait", err)
		}
		sock := false
		for _, ev := range evs[:max(k, 0)] {
			if ev.Fd == int32(efd) {
				return nil
			}
			sock = true
		}
		if !sock {
			continue
		}
		fromLen := uint32(unsafe.Sizeof(from))
		// MSG_TRUNC: udp(7) returns the datagram's real length.
		r, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
			unix.MSG_DONTWAIT|unix.MSG_TRUNC, uintptr(unsafe.Pointer(&from)), uintptr(unsafe.Pointer(&fromLen)))
		switch e {
		case 0:
		case unix.EAGAIN, unix.EINTR:
			continue
		default:
			// An error queued on the socket (an ICMP port unreachable for
			// an earlier reply): counted, as the poller's loop counts it.
			s.stats.errors.Add(1)
			continue
		}
		n := int(r)
		reply, ok := s.datagramReply(buf[:min(n, len(buf))], n > len(buf), scratch[:0])
		if !ok {
			continue
		}
		s.sent(sendTo(fd, reply, &from, fromLen, wake))
	}
}

// sendTo sends b to the raw address sa, waiting in poll(2) for room in
// the send buffer (or until wake, the eventfd, is written) if need be.
func sendTo(fd uintptr, b []byte, sa *unix.RawSockaddrAny, salen uint32, wake []unix.PollFd) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	for {
		r, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(b)), unix.MSG_DONTWAIT,
			uintptr(unsafe.Pointer(sa)), uintptr(salen))
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}, wake[0]}
			if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
				return 0, os.NewSyscallError("poll", err)
			}
			if fds[1].Revents != 0 {
				return 0, os.NewSyscallError("sendto", syscall.EAGAIN)
			}
			continue
		}
		return 0, os.NewSyscallError("sendto", e)
	}
}
