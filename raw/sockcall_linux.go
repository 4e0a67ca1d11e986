package raw

import "golang.org/x/sys/unix"

// sockcall makes a system call on one of the Conn's sockets. They are
// opened non-blocking (SOCK_NONBLOCK, and the poller's duplicate shares
// the flag), so a send, a receive or a zero-timeout poll never sleeps
// waiting: the socket calls turn O_NONBLOCK into MSG_DONTWAIT
// (socket(7)) and answer EAGAIN instead. Such a call is made with
// RawSyscall, as syscall.RawSyscall's documentation allows for calls
// that do not block: it skips the scheduler's bookkeeping of a call that
// might, and, more costly, it does not wake the runtime's monitor
// thread. That thread sleeps while every P is idle; the next blocking-
// style system call (entersyscall) wakes it and it polls every 20 µs
// for a millisecond or more: on a traceroute, whose work comes in short
// bursts between waits, those wake-ups cost as much CPU time as its
// probes' sends.
func sockcall(trap, a1, a2, a3 uintptr) (uintptr, unix.Errno) {
	n, _, e := unix.RawSyscall(trap, a1, a2, a3)
	return n, e
}

// sockcall6 is sockcall with six arguments.
func sockcall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, unix.Errno) {
	n, _, e := unix.RawSyscall6(trap, a1, a2, a3, a4, a5, a6)
	return n, e
}
