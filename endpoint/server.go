package endpoint

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used when a Config field is zero.
const (
	DefaultDrain       = 5 * time.Second
	DefaultStreamBuf   = 64 << 10 // bytes read at once from a stream
	DefaultMaxDatagram = 65535    // largest datagram a datagram server accepts
)

// Config tunes a server. A nil *Config means all defaults.
type Config struct {
	// Mode is what the server does; zero means Echo.
	Mode Mode
	// Reply is what a Fixed server sends.
	Reply []byte
	// MaxConns limits the open stream connections; one more is accepted
	// and reset at once (so the client sees ECONNRESET) and counted as
	// refused. Zero means no limit.
	MaxConns int
	// IdleTimeout closes a stream connection on which nothing could be
	// read or written for this long. Zero means never.
	IdleTimeout time.Duration
	// MaxSize is, for streams, the most bytes read at once (the buffer
	// each busy connection holds; zero means DefaultStreamBuf) and, for
	// datagrams, the largest datagram served: longer ones are dropped and
	// counted as oversize (zero means DefaultMaxDatagram).
	MaxSize int
	// Drain is how long open connections may run on after the serving
	// context is cancelled before they are half-closed and closed. Zero
	// means DefaultDrain; a negative value closes them at once.
	Drain time.Duration
	// Now is the daytime clock; nil means time.Now.
	Now func() time.Time
}

// Stats are a server's counters. Stream servers fill the connection
// fields, datagram servers the datagram ones; bytes count payload only.
type Stats struct {
	Connections uint64 // stream connections served
	Active      int64  // stream connections open now
	Refused     uint64 // connections over MaxConns, reset at once
	IdleClosed  uint64 // connections closed by IdleTimeout
	Cut         uint64 // connections still open when the drain time ran out
	BytesIn     uint64
	BytesOut    uint64
	DatagramsIn uint64 // datagrams read (oversize ones included)
	// DatagramsOut counts replies sent.
	DatagramsOut uint64
	Oversize     uint64 // datagrams longer than MaxSize, dropped
	// KernelDrops counts datagrams the kernel dropped before the server
	// could read them (receive buffer full): SK_MEMINFO_DROPS.
	KernelDrops uint64
	Errors      uint64 // failed reads, writes and accepts
}

type counters struct {
	conns, refused, idle, cut, bytesIn, bytesOut atomic.Uint64
	dgIn, dgOut, oversize, drops, errors         atomic.Uint64
	active                                       atomic.Int64
}

// Server is a stream or datagram test server made by Listen.
type Server struct {
	network string
	cfg     Config
	reply   []byte // Fixed: the reply; nil for other modes

	ln   net.Listener   // stream servers
	pc   net.PacketConn // datagram servers
	addr net.Addr
	// unlink removes a unixgram socket file on Close; nil otherwise.
	unlink func()

	bufs sync.Pool // *[]byte of cfg.MaxSize, for stream reads

	mu    sync.Mutex
	conns map[*streamConn]struct{}
	wg    sync.WaitGroup // connection handlers
	stop  chan struct{}  // closed when serving stops accepting
	// draining is closed once no new connection or datagram is taken.
	draining chan struct{}
	served   atomic.Bool

	closeOnce sync.Once
	wake      func() // ends udpFast's wait; nil when it does not run
	closed    bool   // under mu: Close has begun
	closeErr  error
	stats     counters
}

// Addr returns the address the server listens on, with the port the
// kernel chose when the address asked for port 0.
func (s *Server) Addr() net.Addr { return s.addr }

// Draining returns a channel that is closed once a cancelled server has
// stopped taking new connections (the listener is closed, so connection
// attempts are refused) or new datagrams, and is draining what it has.
func (s *Server) Draining() <-chan struct{} { return s.draining }

// Network returns the network the server was made for (tcp, udp, ...).
func (s *Server) Network() string { return s.network }

// Mode returns the server's mode.
func (s *Server) Mode() Mode { return s.cfg.Mode }

// Stats returns a snapshot of the server's counters. It is safe to call
// at any time, also while serving and after Close.
func (s *Server) Stats() Stats {
	if s.pc != nil {
		s.updateDrops()
	}
	c := &s.stats
	return Stats{
		Connections: c.conns.Load(), Active: c.active.Load(), Refused: c.refused.Load(),
		IdleClosed: c.idle.Load(), Cut: c.cut.Load(),
		BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
		DatagramsIn: c.dgIn.Load(), DatagramsOut: c.dgOut.Load(),
		Oversize: c.oversize.Load(), KernelDrops: c.drops.Load(), Errors: c.errors.Load(),
	}
}

// ErrServed is returned by a second call to Serve.
var ErrServed = errors.New("endpoint: server already served")

// Serve runs the server until ctx is cancelled, then shuts down
// gracefully (see the package documentation) and returns nil. It returns
// net.ErrClosed if Close was called, or the error that stopped the
// listener. All goroutines Serve started have ended when it returns.
func (s *Server) Serve(ctx context.Context) error {
	if !s.served.CompareAndSwap(false, true) {
		return ErrServed
	}
	if s.ln != nil {
		return s.serveStream(ctx)
	}
	return s.servePacket(ctx)
}

// Close closes the server at once: the listener and every open
// connection. Use a context cancel for a graceful stop.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		wake := s.wake
		s.mu.Unlock()
		if wake != nil {
			wake() // before the socket closes: udpFast holds it
		}
		if s.ln != nil {
			s.closeErr = s.ln.Close()
		} else {
			s.updateDrops()
			s.closeErr = s.pc.Close()
		}
		if s.unlink != nil {
			s.unlink()
		}
		s.mu.Lock()
		for sc := range s.conns {
			_ = sc.c.Close()
		}
		s.mu.Unlock()
	})
	return s.closeErr
}

// drainTime returns the configured drain limit.
func (s *Server) drainTime() time.Duration {
	switch d := s.cfg.Drain; {
	case d == 0:
		return DefaultDrain
	case d < 0:
		return 0
	default:
		return d
	}
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// stopped reports whether the server has stopped accepting.
func (s *Server) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}
