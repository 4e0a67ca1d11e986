//go:build !linux

package raw

import (
	"context"
	"net/netip"
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
