package endpoint

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// streamConn is one stream connection and its handler.
type streamConn struct {
	s       *Server
	c       net.Conn
	rc      syscall.RawConn
	cw      interface{ CloseWrite() error }
	cutting atomic.Bool

	// Results of readFn, which runs inside rc.Read.
	rbuf   *[]byte
	rn     int
	rerr   error
	readFn func(fd uintptr) bool
}

func newStreamConn(s *Server, c net.Conn) (*streamConn, error) {
	sysc, ok := c.(syscall.Conn)
	if !ok {
		return nil, errors.New("endpoint: connection has no file descriptor")
	}
	rc, err := sysc.SyscallConn()
	if err != nil {
		return nil, err
	}
	sc := &streamConn{s: s, c: c, rc: rc}
	sc.cw, _ = c.(interface{ CloseWrite() error })
	sc.readFn = sc.readCallback
	return sc, nil
}

func (sc *streamConn) serve() {
	s := sc.s
	defer s.wg.Done()
	var err error
	switch s.cfg.Mode {
	case Echo:
		err = sc.echo()
	case Discard:
		err = sc.discardAll()
	case Chargen:
		err = sc.chargen()
	case Daytime:
		err = sc.replyOnce([]byte(DaytimeString(s.now())))
	case Fixed:
		err = sc.replyOnce(s.reply)
	}
	sc.finish(err)
}

// finish counts how the connection ended, half-closes and closes it.
func (sc *streamConn) finish(err error) {
	s := sc.s
	switch {
	case err == nil:
	case sc.cutting.Load():
		s.stats.cut.Add(1)
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.stats.idle.Add(1)
	case errors.Is(err, net.ErrClosed):
	default:
		s.stats.errors.Add(1)
	}
	if sc.cw != nil {
		_ = sc.cw.CloseWrite()
	}
	_ = sc.c.Close()
	s.mu.Lock()
	delete(s.conns, sc)
	s.mu.Unlock()
	s.stats.active.Add(-1)
}

// cut ends the connection's reads and writes at once (drain time over).
func (sc *streamConn) cut() {
	sc.cutting.Store(true)
	_ = sc.c.SetDeadline(time.Unix(1, 0))
}

// read returns the next bytes from the peer in a pooled buffer that the
// caller gives back with s.bufs.Put. An idle connection parks in the
// runtime poller holding no buffer, so ten thousand idle connections cost
// their goroutine stacks and not ten thousand buffers.
func (sc *streamConn) read() (*[]byte, int, error) {
	if d := sc.s.cfg.IdleTimeout; d > 0 {
		_ = sc.c.SetReadDeadline(time.Now().Add(d))
	}
	// Checked after the deadline is set: cut sets its flag before its
	// deadline, so one of the two always stops this read.
	if sc.cutting.Load() {
		return nil, 0, errCut
	}
	sc.rbuf, sc.rn, sc.rerr = nil, 0, nil
	if err := sc.rc.Read(sc.readFn); err != nil {
		return nil, 0, err
	}
	if sc.rn > 0 {
		sc.s.stats.bytesIn.Add(uint64(sc.rn))
	}
	return sc.rbuf, sc.rn, sc.rerr
}

func (sc *streamConn) readCallback(fd uintptr) bool {
	b := sc.s.bufs.Get().(*[]byte)
	n, again, err := readOnce(fd, *b)
	if again {
		sc.s.bufs.Put(b)
		return false
	}
	if err != nil || n == 0 {
		sc.s.bufs.Put(b)
		if err == nil {
			err = io.EOF
		}
		sc.rerr = err
		return true
	}
	sc.rbuf, sc.rn = b, n
	return true
}

func (sc *streamConn) write(p []byte) error {
	if d := sc.s.cfg.IdleTimeout; d > 0 {
		_ = sc.c.SetWriteDeadline(time.Now().Add(d))
		if sc.cutting.Load() {
			return errCut
		}
	}
	n, err := sc.c.Write(p)
	sc.s.stats.bytesOut.Add(uint64(n))
	return err
}

// echo sends back what it reads until the peer half-closes. Each read is
// written back in full before the next read, so whatever has been read
// has been echoed whenever the loop stops.
func (sc *streamConn) echo() error {
	for {
		b, n, err := sc.read()
		if n > 0 {
			werr := sc.write((*b)[:n])
			sc.s.bufs.Put(b)
			if werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// discardAll reads and drops everything until the peer half-closes.
func (sc *streamConn) discardAll() error {
	for {
		b, n, err := sc.read()
		if n > 0 {
			sc.s.bufs.Put(b)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// replyOnce sends p, half-closes, and reads (ignoring it) until the peer
// closes too: closing with unread input would reset the connection and
// could destroy the reply on its way (RFC 867: the server ignores input).
func (sc *streamConn) replyOnce(p []byte) error {
	if len(p) > 0 {
		if err := sc.write(p); err != nil {
			return err
		}
	}
	if sc.cw != nil {
		if err := sc.cw.CloseWrite(); err != nil {
			return err
		}
	}
	return sc.discardAll()
}

// chargen writes the RFC 864 pattern until the peer goes away or the
// server stops, throwing away whatever the peer sends.
func (sc *streamConn) chargen() error {
	done := make(chan error, 1)
	go func() { done <- sc.discardAll() }()
	text := chargenText()
	chunk := min(sc.s.cfg.MaxSize, 64<<10)
	off := 0
	var werr error
	for !sc.s.stopped() {
		if werr = sc.write(text[off : off+chunk]); werr != nil {
			break
		}
		off = (off + chunk) % chargenCycle
	}
	if werr != nil {
		_ = sc.c.Close() // wakes the reader
		<-done
		if errors.Is(werr, syscall.EPIPE) || errors.Is(werr, syscall.ECONNRESET) {
			return nil // the way a chargen client says goodbye
		}
		return werr
	}
	if sc.cw != nil {
		_ = sc.cw.CloseWrite()
	}
	return <-done
}
