package raw

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// ErrNotImplemented is returned on platforms where raw sockets are not
// supported by this package.
var ErrNotImplemented = errors.New("raw: not implemented on this platform")

// ErrWouldBlock is returned by TryReadMsg when no packet is queued and by
// TryWriteTo when the send buffer is full: the call would have had to
// wait. It is returned as is, not wrapped, and errors.Is(ErrWouldBlock,
// syscall.EAGAIN) holds.
var ErrWouldBlock error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string        { return "raw: operation would block" }
func (wouldBlock) Is(target error) bool { return target == syscall.EAGAIN }

// Operation names used in *net.OpError.
const (
	opListen = "listen"
	opRead   = "read"
	opWrite  = "write"
	opSet    = "set"
)

// Hints appended to permission errors: they say what to do.
const (
	hintRaw = "raw sockets need CAP_NET_RAW: run as root or with sudo, " +
		"or grant it to the binary with `setcap cap_net_raw+ep BINARY`"
	hintPing = "ping sockets are allowed only to groups in net.ipv4.ping_group_range: " +
		"widen it with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`, " +
		"or use a raw socket as root, with sudo or after `setcap cap_net_raw+ep BINARY`"
	hintAdmin = "this option needs CAP_NET_ADMIN: run as root or with sudo, " +
		"or grant it with `setcap cap_net_raw,cap_net_admin+ep BINARY`"
)

// inputError is bad input detected before any system call: nothing was
// sent and no socket is left open. errors.Is(err, os.ErrInvalid) holds.
type inputError struct{ msg string }

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: "raw: " + fmt.Sprintf(format, args...)}
}

func (e *inputError) Error() string { return e.msg }

// Is makes errors.Is(err, os.ErrInvalid) report bad input.
func (e *inputError) Is(target error) bool { return target == os.ErrInvalid }

// hintError adds advice to an error without hiding it from errors.Is.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "; " + e.hint }
func (e *hintError) Unwrap() error { return e.err }

// withHint attaches hint to err when err is a permission error (EPERM or
// EACCES, which errors.Is maps to os.ErrPermission).
func withHint(err error, hint string) error {
	if err == nil || !errors.Is(err, os.ErrPermission) {
		return err
	}
	return &hintError{err: err, hint: hint}
}

// opError wraps err in the *net.OpError every error leaving a Conn has.
// Poller errors (deadline, closed) stay reachable through errors.Is.
func opError(op, network string, addr net.Addr, err error) error {
	if err == nil {
		return nil
	}
	// The wrappers of net's raw connection and of x/net carry nothing
	// this one does not.
	for {
		oe, ok := err.(*net.OpError)
		if !ok {
			break
		}
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: network, Source: addr, Err: err}
}
