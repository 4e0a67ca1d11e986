package endpoint

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"time"
)

// errCut ends a connection whose drain time ran out.
var errCut = errors.New("endpoint: drain time over")

func (s *Server) serveStream(ctx context.Context) error {
	stopAccept := context.AfterFunc(ctx, func() {
		// Wake the accept loop; the listener stays open until the
		// connections the kernel has queued are taken.
		if d, ok := s.ln.(interface{ SetDeadline(time.Time) error }); ok {
			_ = d.SetDeadline(time.Unix(1, 0))
		}
	})
	defer stopAccept()
	err := s.acceptLoop(ctx)
	if ctx.Err() == nil || err != nil {
		_ = s.Close()
		s.wg.Wait()
		return err
	}
	close(s.stop)
	// A client whose handshake completed before the cancel may already
	// have sent data: serve those too, then close the listener so that
	// later connection attempts are refused.
	s.acceptBacklog(time.Now().Add(s.drainTime()))
	if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		s.stats.errors.Add(1)
	}
	close(s.draining)
	s.drain()
	return nil
}

func (s *Server) acceptLoop(ctx context.Context) error {
	var backoff time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if !temporaryAcceptError(err) {
				return err
			}
			// Out of descriptors or memory: the connection stays queued,
			// so wait a little rather than spin (as net/http does).
			s.stats.errors.Add(1)
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			continue
		}
		backoff = 0
		s.admit(c)
	}
}

func temporaryAcceptError(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// acceptBacklog serves the connections already queued on the listener,
// without waiting for more, until the queue is empty or until deadline.
func (s *Server) acceptBacklog(deadline time.Time) {
	sysc, ok := s.ln.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sysc.SyscallConn()
	if err != nil {
		return
	}
	for time.Now().Before(deadline) {
		var (
			nfd   int
			again bool
			aerr  error
		)
		if err := rc.Control(func(fd uintptr) { nfd, again, aerr = acceptQueued(fd) }); err != nil || aerr != nil || again {
			return
		}
		f := os.NewFile(uintptr(nfd), "")
		c, err := net.FileConn(f) // dups the descriptor
		_ = f.Close()
		if err != nil {
			s.stats.errors.Add(1)
			continue
		}
		s.admit(c)
	}
}

// admit starts a handler for c, or refuses it when MaxConns are open.
func (s *Server) admit(c net.Conn) {
	if n := s.cfg.MaxConns; n > 0 && s.stats.active.Load() >= int64(n) {
		s.stats.refused.Add(1)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close sends RST: the client sees a refusal, not an orderly end
		}
		_ = c.Close()
		return
	}
	sc, err := newStreamConn(s, c)
	if err != nil {
		s.stats.errors.Add(1)
		_ = c.Close()
		return
	}
	s.stats.active.Add(1)
	s.stats.conns.Add(1)
	s.mu.Lock()
	s.conns[sc] = struct{}{}
	s.mu.Unlock()
	s.wg.Add(1)
	go sc.serve()
}

// drain waits for the open connections to finish, and cuts those still
// open when the drain time is over.
func (s *Server) drain() {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(s.drainTime())
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	s.mu.Lock()
	for sc := range s.conns {
		sc.cut()
	}
	s.mu.Unlock()
	<-done
}
