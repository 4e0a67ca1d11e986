package endpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// Listen opens a server socket on network ("tcp", "tcp4", "tcp6", "udp",
// "udp4", "udp6", "unix" or "unixgram") at address. A port of 0 lets the
// kernel choose; Addr reports it. TCP listeners set SO_REUSEADDR so that a
// restarted server can bind while old connections sit in TIME_WAIT.
//
// A unix socket file left behind by a server that died is removed, but
// only after a connection attempt shows that nothing listens on it and,
// on Linux, the kernel's socket list shows that no socket of this network
// namespace is bound to it; a file that is not a socket, or a socket
// someone serves or holds, is an error wrapping syscall.EADDRINUSE.
func Listen(ctx context.Context, network, address string, cfg *Config) (*Server, error) {
	s := &Server{network: network, conns: map[*streamConn]struct{}{}, stop: make(chan struct{}), draining: make(chan struct{})}
	if cfg != nil {
		s.cfg = *cfg
	}
	if err := s.setDefaults(); err != nil {
		return nil, err
	}
	size := s.cfg.MaxSize
	s.bufs.New = func() any { b := make([]byte, size); return &b }

	lc := net.ListenConfig{Control: controlReuseAddr}
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
		if network == "unix" {
			if err := clearStaleSocket(ctx, network, address); err != nil {
				return nil, err
			}
		}
		ln, err := lc.Listen(ctx, network, address)
		if err != nil {
			return nil, err
		}
		s.ln, s.addr = ln, ln.Addr()
	case "udp", "udp4", "udp6", "unixgram":
		if network == "unixgram" {
			if err := clearStaleSocket(ctx, network, address); err != nil {
				return nil, err
			}
			lc.Control = nil
		}
		pc, err := lc.ListenPacket(ctx, network, address)
		if err != nil {
			return nil, err
		}
		s.pc, s.addr = pc, pc.LocalAddr()
		if network == "unixgram" {
			s.unlink = unlinkIfSame(address)
		}
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	return s, nil
}

func (s *Server) setDefaults() error {
	c := &s.cfg
	if c.Mode == 0 {
		c.Mode = Echo
	}
	if c.Mode < Echo || c.Mode > Fixed {
		return fmt.Errorf("endpoint: invalid mode %v", c.Mode)
	}
	if c.Mode == Fixed {
		s.reply = c.Reply
	}
	if c.MaxConns < 0 || c.MaxSize < 0 || c.IdleTimeout < 0 {
		return errors.New("endpoint: negative limit in Config")
	}
	if c.MaxSize == 0 {
		switch s.network {
		case "udp", "udp4", "udp6", "unixgram":
			c.MaxSize = DefaultMaxDatagram
		default:
			c.MaxSize = DefaultStreamBuf
		}
	}
	return nil
}

// controlReuseAddr sets SO_REUSEADDR on TCP sockets before bind(2). It is
// left off UDP sockets on purpose: there socket(7)'s SO_REUSEADDR lets a
// second socket bind the same port and take its datagrams, so a server
// started twice would not see "address in use".
func controlReuseAddr(network, _ string, rc syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil
	}
	var serr error
	err := rc.Control(func(fd uintptr) { serr = setReuseAddr(fd) })
	if err != nil {
		return err
	}
	return serr
}

// clearStaleSocket removes a unix socket file that nothing serves. An
// abstract address (leading @) has no file and is left alone.
func clearStaleSocket(ctx context.Context, network, path string) error {
	if path == "" || path[0] == '@' {
		return nil
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &net.OpError{Op: "listen", Net: network, Addr: &net.UnixAddr{Name: path, Net: network}, Err: err}
	}
	inUse := func(why string) error {
		return &net.OpError{Op: "listen", Net: network, Addr: &net.UnixAddr{Name: path, Net: network},
			Err: fmt.Errorf("%s: %w", why, syscall.EADDRINUSE)}
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return inUse("file exists and is not a socket")
	}
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, network, path)
	switch {
	case err == nil:
		_ = c.Close()
		return inUse("a server is listening on it")
	case errors.Is(err, syscall.ECONNREFUSED):
		// unix(7): connect to a socket file nobody listens on fails with
		// ECONNREFUSED; so does one to a socket bound but not yet
		// listening, whose owner still holds the file.
		switch bound, err := socketFileBound(fi); {
		case err != nil:
			return inUse(fmt.Sprintf("cannot tell whether it is stale (%v)", err))
		case bound:
			return inUse("a socket is bound to it")
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &net.OpError{Op: "listen", Net: network, Addr: &net.UnixAddr{Name: path, Net: network}, Err: err}
		}
		return nil
	default:
		// EPROTOTYPE (a socket of the other type is bound there),
		// EACCES and the like: not ours to remove.
		return inUse(fmt.Sprintf("cannot tell whether it is stale (%v)", err))
	}
}

// unlinkIfSame returns a function that removes path if it is still the
// socket file made now (same inode), not one someone made since.
func unlinkIfSame(path string) func() {
	if path == "" || path[0] == '@' {
		return nil
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil
	}
	return func() {
		if now, err := os.Lstat(path); err == nil && os.SameFile(fi, now) {
			_ = os.Remove(path)
		}
	}
}
