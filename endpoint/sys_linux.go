package endpoint

import (
	"net"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

func setReuseAddr(fd uintptr) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1))
}

// readOnce makes one read(2) on a non-blocking socket. again reports
// EAGAIN: nothing to read yet, so the caller's goroutine should park in
// the runtime poller without holding a buffer.
func readOnce(fd uintptr, b []byte) (n int, again bool, err error) {
	for {
		n, err = unix.Read(int(fd), b)
		switch err {
		case nil:
			return n, false, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, true, nil
		default:
			return 0, false, os.NewSyscallError("read", err)
		}
	}
}

// acceptQueued takes one connection the kernel has already completed
// from a listening socket without waiting, as accept4(2) with
// SOCK_NONBLOCK does; again reports an empty queue.
func acceptQueued(fd uintptr) (nfd int, again bool, err error) {
	for {
		nfd, _, err = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
			return nfd, false, nil
		case unix.EINTR, unix.ECONNABORTED:
			continue
		case unix.EAGAIN:
			return -1, true, nil
		default:
			return -1, false, os.NewSyscallError("accept4", err)
		}
	}
}

// recvQueued reads one queued datagram without waiting (MSG_DONTWAIT);
// again reports an empty queue. from is the sender, as a netip.AddrPort
// for UDP or a *net.UnixAddr for unixgram (nil if the sender is unnamed).
func recvQueued(fd uintptr, b []byte) (n int, trunc bool, from any, again bool, err error) {
	for {
		var rflags int
		var sa unix.Sockaddr
		n, _, rflags, sa, err = unix.Recvmsg(int(fd), b, nil, unix.MSG_DONTWAIT|unix.MSG_TRUNC)
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, false, nil, true, nil
		default:
			return 0, false, nil, false, os.NewSyscallError("recvmsg", err)
		}
		// With MSG_TRUNC, udp(7) and unix(7) return the datagram's real
		// length even when it was longer than b.
		trunc = rflags&unix.MSG_TRUNC != 0 || n > len(b)
		n = min(n, len(b))
		switch sa := sa.(type) {
		case *unix.SockaddrInet4:
			from = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
		case *unix.SockaddrInet6:
			from = netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
		case *unix.SockaddrUnix:
			if sa.Name != "" {
				from = &net.UnixAddr{Name: sa.Name, Net: "unixgram"}
			}
		}
		return n, trunc, from, false, nil
	}
}

// From linux/sock_diag.h: SO_MEMINFO fills an array of SK_MEMINFO_VARS
// uint32s, of which SK_MEMINFO_DROPS is the socket's drop counter.
const (
	skMeminfoVars  = 9
	skMeminfoDrops = 8
)

// socketDrops returns how many packets the kernel dropped on the socket,
// for example because its receive buffer was full (socket(7) SO_MEMINFO,
// Linux 4.6 and later).
func socketDrops(fd uintptr) (uint64, error) {
	var info [skMeminfoVars]uint32
	n := uint32(unsafe.Sizeof(info))
	_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
	if errno != 0 {
		return 0, os.NewSyscallError("getsockopt", errno)
	}
	if n < (skMeminfoDrops+1)*4 {
		return 0, ErrNotImplemented
	}
	return uint64(info[skMeminfoDrops]), nil
}

// connectSelf connects a bound datagram socket to its own address.
func connectSelf(fd uintptr) error {
	sa, err := unix.Getsockname(int(fd))
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	return os.NewSyscallError("connect", unix.Connect(int(fd), sa))
}
