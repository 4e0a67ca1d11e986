//go:build !linux

package raw

import (
	"context"
	"net/netip"
	"time"

	"golang.org/x/net/bpf"
)

// ListenIPv4 is not implemented on this platform.
func ListenIPv4(protocol int, cfg *Config) (*Conn, error) {
	if err := cfg.validate(protocol, false); err != nil {
		return nil, err
	}
	return nil, ErrNotImplemented
}

// ListenPing is not implemented on this platform.
func ListenPing(cfg *Config) (*Conn, error) {
	if err := cfg.validate(protocolICMP, true); err != nil {
		return nil, err
	}
	return nil, ErrNotImplemented
}

// DropPrivileges is not implemented on this platform.
func DropPrivileges() error { return ErrNotImplemented }

func (c *Conn) readMsg(context.Context, []byte) (Message, error) {
	return Message{}, ErrNotImplemented
}

func (c *Conn) readBatch(context.Context, []Message) (int, error) {
	return 0, ErrNotImplemented
}

func (c *Conn) writeTo(context.Context, []byte, netip.Addr) (int, error) {
	return 0, ErrNotImplemented
}

func (c *Conn) writeBatch(context.Context, [][]byte, netip.Addr) (int, error) {
	return 0, ErrNotImplemented
}

func (c *Conn) writeBatchTo(context.Context, [][]byte, []netip.Addr) (int, error) {
	return 0, ErrNotImplemented
}

func (c *Conn) tryReadMsg([]byte) (Message, error) { return Message{}, ErrNotImplemented }

func (c *Conn) tryWriteTo([]byte, netip.Addr) (int, error) { return 0, ErrNotImplemented }

func (c *Conn) enableSendStamps() error { return ErrNotImplemented }

func (c *Conn) tryReadSendStamps([]SendStamp) (int, error) { return 0, ErrNotImplemented }

// The per-call state of the Linux read and write paths.
type (
	reader      struct{}
	writer      struct{}
	stampReader struct{}
)

func (c *Conn) waitRead(context.Context) error { return ErrNotImplemented }

func (c *Conn) readable() (bool, error) { return false, ErrNotImplemented }

// fdConn is the socket of a Conn, which this platform never opens.
type fdConn struct{}

func (*fdConn) Control(func(uintptr)) error      { return ErrNotImplemented }
func (*fdConn) Read(func(uintptr) bool) error    { return ErrNotImplemented }
func (*fdConn) Write(func(uintptr) bool) error   { return ErrNotImplemented }
func (*fdConn) setDeadline(int, time.Time) error { return ErrNotImplemented }
func (*fdConn) close() error                     { return ErrNotImplemented }

const (
	ipv4Level, ipv4TTL, ipv4TOS                               = 0, 0, 0
	ipv6Level, ipv6UnicastHops, ipv6MulticastHops, ipv6TClass = 0, 0, 0, 0
)

func (c *Conn) setInt(int, int, int) error        { return ErrNotImplemented }
func (c *Conn) setBPF([]bpf.RawInstruction) error { return ErrNotImplemented }

func perSendStampKeys() bool { return false }
