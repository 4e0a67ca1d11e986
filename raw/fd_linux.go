package raw

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// An fdConn is the Conn's socket as the system calls see it, and the
// syscall.RawConn that SyscallConn returns. The socket stays outside the
// runtime poller until a call has to wait: a socket in an epoll set
// wakes that set on every packet it queues and every send buffer it
// frees (ep_poll_callback, from sock_def_readable and sock_wfree), work
// that on loopback costs a flood ping some 3% of its CPU time although
// the flood never waits. Calls that find a packet queued or room to send
// are made on the descriptor directly; the first that would block
// registers a duplicate of it with the poller (net.FilePacketConn), and
// from then on every wait goes through the poller, deadlines and Close
// as for any net.Conn.
type fdConn struct {
	fd int
	// refs counts the calls using fd, with closedBit set once Close
	// has run: fd is closed when both are true and no call is left, so
	// it is never closed (and reused by another open) under a call.
	refs      atomic.Int64
	closeOnce sync.Once

	mu     sync.Mutex // serialises registration, deadlines and Close
	polled atomic.Pointer[polled]
	closed bool
	// The deadlines set before registration, applied by it; a direction
	// with one set waits through the poller (so that a deadline already
	// passed fails the call before it reads, as net.Conn's do).
	deadline [2]time.Time
	hasDL    [2]atomic.Bool
}

// polled is the socket registered with the runtime poller.
type polled struct {
	pc net.PacketConn
	rc syscall.RawConn
}

const closedBit = 1 << 62

var _ syscall.RawConn = (*fdConn)(nil)

func (f *fdConn) acquire() error {
	if f.refs.Add(1)&closedBit != 0 {
		f.release()
		return net.ErrClosed
	}
	return nil
}

func (f *fdConn) release() {
	if f.refs.Add(-1) == closedBit {
		f.closeOnce.Do(func() { unix.Close(f.fd) })
	}
}

// Control calls fn with the descriptor, which stays open meanwhile.
func (f *fdConn) Control(fn func(fd uintptr)) error {
	if err := f.acquire(); err != nil {
		return err
	}
	fn(uintptr(f.fd))
	f.release()
	return nil
}

// Read calls fn with the descriptor until it returns true, waiting for
// the socket to turn readable in between (syscall.RawConn).
func (f *fdConn) Read(fn func(fd uintptr) bool) error { return f.io(dirRead, fn) }

// Write is Read for writes.
func (f *fdConn) Write(fn func(fd uintptr) bool) error { return f.io(dirWrite, fn) }

func (f *fdConn) io(dir int, fn func(fd uintptr) bool) error {
	p := f.polled.Load()
	if p == nil && !f.hasDL[dir].Load() {
		if err := f.acquire(); err != nil {
			return err
		}
		ok := fn(uintptr(f.fd))
		f.release()
		if ok {
			return nil
		}
	}
	if p == nil {
		var err error
		if p, err = f.register(); err != nil {
			return err
		}
	}
	if dir == dirWrite {
		return p.rc.Write(fn)
	}
	return p.rc.Read(fn)
}

// register hands a duplicate of the descriptor to the runtime poller,
// once, with the deadlines set so far.
func (f *fdConn) register() (*polled, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.polled.Load(); p != nil {
		return p, nil
	}
	if f.closed {
		return nil, net.ErrClosed
	}
	var dup int
	err := f.Control(func(fd uintptr) {
		var e error
		if dup, e = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0); e != nil {
			dup = -1
		}
	})
	if err == nil && dup < 0 {
		err = os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", unix.EMFILE)
	}
	if err != nil {
		return nil, err
	}
	file := os.NewFile(uintptr(dup), "raw")
	pc, err := net.FilePacketConn(file) // registers its own duplicate
	file.Close()
	if err != nil {
		return nil, err
	}
	sc, ok := pc.(syscall.Conn)
	if !ok {
		pc.Close()
		return nil, inputErrorf("unexpected connection type %T", pc)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		pc.Close()
		return nil, err
	}
	if !f.deadline[dirRead].IsZero() {
		err = pc.SetReadDeadline(f.deadline[dirRead])
	}
	if err == nil && !f.deadline[dirWrite].IsZero() {
		err = pc.SetWriteDeadline(f.deadline[dirWrite])
	}
	if err != nil {
		pc.Close()
		return nil, err
	}
	p := &polled{pc: pc, rc: rc}
	f.polled.Store(p)
	return p, nil
}

// setDeadline sets the deadline of dir: on the poller's socket once
// registered, kept for registration before.
func (f *fdConn) setDeadline(dir int, t time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return net.ErrClosed
	}
	if p := f.polled.Load(); p != nil {
		if dir == dirWrite {
			return p.pc.SetWriteDeadline(t)
		}
		return p.pc.SetReadDeadline(t)
	}
	f.deadline[dir] = t
	f.hasDL[dir].Store(!t.IsZero())
	return nil
}

// close wakes the calls waiting in the poller and closes the descriptor
// once no call uses it.
func (f *fdConn) close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return net.ErrClosed
	}
	f.closed = true
	p := f.polled.Load()
	f.mu.Unlock()
	var err error
	if p != nil {
		err = p.pc.Close()
	}
	if f.refs.Add(closedBit) == closedBit {
		f.closeOnce.Do(func() { unix.Close(f.fd) })
	}
	return err
}

// sockname returns the socket's bound address as net does for a
// socket of its kind: a *net.UDPAddr for ping (datagram) sockets, a
// *net.IPAddr for raw ones.
func (f *fdConn) sockname(dgram bool, zone func(uint32) string) net.Addr {
	var sa unix.Sockaddr
	_ = f.Control(func(fd uintptr) { sa, _ = unix.Getsockname(int(fd)) })
	var ip net.IP
	var port int
	var z string
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		ip, port = net.IP(append([]byte(nil), a.Addr[:]...)), a.Port
	case *unix.SockaddrInet6:
		ip, port = net.IP(append([]byte(nil), a.Addr[:]...)), a.Port
		z = zone(a.ZoneId)
	default:
		return nil
	}
	if dgram {
		return &net.UDPAddr{IP: ip, Port: port, Zone: z}
	}
	return &net.IPAddr{IP: ip, Zone: z}
}

// The socket options SetTTL and SetTOS set (ip(7), ipv6(7)).
const (
	ipv4Level         = unix.IPPROTO_IP
	ipv4TTL           = unix.IP_TTL
	ipv4TOS           = unix.IP_TOS
	ipv6Level         = unix.IPPROTO_IPV6
	ipv6UnicastHops   = unix.IPV6_UNICAST_HOPS
	ipv6MulticastHops = unix.IPV6_MULTICAST_HOPS
	ipv6TClass        = unix.IPV6_TCLASS
)

func (c *Conn) setInt(level, opt, v int) error {
	var err error
	if cerr := c.rc.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), level, opt, v) }); cerr != nil {
		return cerr
	}
	return os.NewSyscallError("setsockopt", err)
}

func (c *Conn) setBPF(filter []bpf.RawInstruction) error {
	if len(filter) == 0 {
		return inputErrorf("empty BPF program")
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0]))}
	var err error
	if cerr := c.rc.Control(func(fd uintptr) {
		err = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
	}); cerr != nil {
		return cerr
	}
	return os.NewSyscallError("setsockopt", err)
}
