//go:build !linux

package capture

import (
	"context"
	"net"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
)

// Conn is a live capture; on this platform it cannot be opened.
type Conn struct{ addr *Addr }

// Listen returns ErrNotImplemented: live capture needs Linux AF_PACKET.
func Listen(ifname string, cfg *Config) (*Conn, error) { return nil, ErrNotImplemented }

// LinkType returns 0.
func (c *Conn) LinkType() LinkType { return 0 }

// SnapLen returns 0.
func (c *Conn) SnapLen() int { return 0 }

// Addr returns the capture's interface.
func (c *Conn) Addr() net.Addr { return c.addr }

// ReadPacket returns ErrNotImplemented.
func (c *Conn) ReadPacket(ctx context.Context) ([]byte, gopacket.CaptureInfo, error) {
	return nil, gopacket.CaptureInfo{}, ErrNotImplemented
}

// ZeroCopyReadPacketData returns ErrNotImplemented.
func (c *Conn) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return nil, gopacket.CaptureInfo{}, ErrNotImplemented
}

// Buffered returns 0.
func (c *Conn) Buffered() int { return 0 }

// Drain returns ErrNotImplemented.
func (c *Conn) Drain(fn func(data []byte, ci gopacket.CaptureInfo) error) error {
	return ErrNotImplemented
}

// Stats returns ErrNotImplemented.
func (c *Conn) Stats() (Stats, error) { return Stats{}, ErrNotImplemented }

// SyscallConn returns ErrNotImplemented.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return nil, ErrNotImplemented }

// SetReadDeadline returns ErrNotImplemented.
func (c *Conn) SetReadDeadline(t time.Time) error { return ErrNotImplemented }

// Close returns ErrNotImplemented.
func (c *Conn) Close() error { return ErrNotImplemented }
