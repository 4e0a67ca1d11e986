package endpoint

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DialConfig tunes Dial. A nil *DialConfig means all defaults.
type DialConfig struct {
	// ConnectTimeout bounds the connection attempt; zero means only the
	// context bounds it.
	ConnectTimeout time.Duration
	// ReadTimeout makes a Read that waits this long for data fail with a
	// timeout (os.ErrDeadlineExceeded); an earlier deadline set with
	// SetReadDeadline or SetDeadline wins. Zero means no limit.
	ReadTimeout time.Duration
}

// Conn is a client connection: a net.Conn with an idle read timeout,
// byte counters and, on stream networks, CloseWrite.
type Conn struct {
	net.Conn
	timeout time.Duration

	mu     sync.Mutex
	userRD time.Time // read deadline the caller set
	idleRD time.Time // deadline of the Read in progress, set by the timeout

	read, written atomic.Uint64
}

var (
	_ net.Conn     = (*Conn)(nil)
	_ syscall.Conn = (*Conn)(nil)
)

// Dial connects to address on network: tcp, tcp4, tcp6, udp, udp4, udp6,
// unix or unixgram. A unixgram client binds a random name in the
// abstract namespace (unix(7)) so that the server can answer it.
func Dial(ctx context.Context, network, address string, cfg *DialConfig) (*Conn, error) {
	var c DialConfig
	if cfg != nil {
		c = *cfg
	}
	d := net.Dialer{Timeout: c.ConnectTimeout}
	if network == "unixgram" {
		var r [8]byte
		_, _ = crand.Read(r[:])
		d.LocalAddr = &net.UnixAddr{Name: fmt.Sprintf("@rawkit-%d-%x", os.Getpid(), r), Net: network}
	}
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return NewConn(nc, c.ReadTimeout), nil
}

// NewConn wraps c with a read timeout (zero means none).
func NewConn(c net.Conn, readTimeout time.Duration) *Conn {
	return &Conn{Conn: c, timeout: readTimeout}
}

// Read reads like the wrapped connection's Read, failing with a timeout
// when no data comes within the read timeout.
func (c *Conn) Read(b []byte) (int, error) {
	if c.timeout > 0 {
		c.mu.Lock()
		c.idleRD = time.Now().Add(c.timeout)
		err := c.Conn.SetReadDeadline(earliest(c.userRD, c.idleRD))
		c.mu.Unlock()
		if err != nil {
			return 0, err
		}
		defer func() {
			c.mu.Lock()
			c.idleRD = time.Time{}
			c.mu.Unlock()
		}()
	}
	n, err := c.Conn.Read(b)
	c.read.Add(uint64(n))
	return n, err
}

// Write writes like the wrapped connection's Write and counts the bytes.
func (c *Conn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.written.Add(uint64(n))
	return n, err
}

// SetDeadline sets both deadlines, as net.Conn documents.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline; a Read in progress keeps its
// read timeout if that comes first.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userRD = t
	return c.Conn.SetReadDeadline(earliest(t, c.idleRD))
}

// earliest returns the earlier of two deadlines, where zero means none.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	default:
		return b
	}
}

// CloseWrite shuts down the sending side (a TCP FIN; for unix streams the
// peer reads EOF). Datagram connections have no such thing.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return &net.OpError{Op: "close", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(),
		Err: fmt.Errorf("no half-close on a %s connection: %w", c.LocalAddr().Network(), errors.ErrUnsupported)}
}

// SyscallConn returns the wrapped connection's raw connection.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, &net.OpError{Op: "raw-conn", Net: c.LocalAddr().Network(), Err: os.ErrInvalid}
}

// BytesRead and BytesWritten return the payload bytes moved so far.
func (c *Conn) BytesRead() uint64 { return c.read.Load() }

// BytesWritten returns the payload bytes written so far.
func (c *Conn) BytesWritten() uint64 { return c.written.Load() }

// Drops returns how many datagrams the kernel dropped on this socket
// because its receive buffer was full (UDP only; see socket(7)
// SO_MEMINFO).
func (c *Conn) Drops() (uint64, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var drops uint64
	var derr error
	if err := rc.Control(func(fd uintptr) { drops, derr = socketDrops(fd) }); err != nil {
		return 0, err
	}
	return drops, derr
}
