package endpoint

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"
)

func (s *Server) servePacket(ctx context.Context) error {
	stopRead := context.AfterFunc(ctx, func() { _ = s.pc.SetReadDeadline(time.Unix(1, 0)) })
	defer stopRead()
	var err error
	switch pc := s.pc.(type) {
	case *net.UDPConn:
		var fast bool
		if fast, err = s.udpFast(ctx, pc); !fast {
			err = s.udpLoop(ctx, pc)
		}
	case *net.UnixConn:
		err = s.unixgramLoop(ctx, pc)
	}
	if ctx.Err() == nil || err != nil {
		_ = s.Close()
		return err
	}
	close(s.stop)
	// Datagrams already queued were sent before the cancel: answer them.
	s.drainDatagrams(time.Now().Add(s.drainTime()))
	_ = s.Close()
	close(s.draining)
	return nil
}

// setWake sets the function that ends udpFast's wait, which Close
// calls; false means Close has begun, and nothing was set.
func (s *Server) setWake(wake func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed && wake != nil {
		return false
	}
	s.wake = wake
	return true
}

// loopError decides whether a read error ends the read loop.
func (s *Server) loopError(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
		return true
	}
	s.stats.errors.Add(1)
	return false
}

func (s *Server) udpLoop(ctx context.Context, pc *net.UDPConn) error {
	buf := make([]byte, s.cfg.MaxSize)
	var scratch [64]byte
	for {
		n, _, flags, from, err := pc.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if s.loopError(ctx, err) {
				return ctxOr(ctx, err)
			}
			continue
		}
		if reply, ok := s.datagramReply(buf[:n], flags&syscall.MSG_TRUNC != 0, scratch[:0]); ok {
			s.sent(pc.WriteToUDPAddrPort(reply, from))
		}
	}
}

func (s *Server) unixgramLoop(ctx context.Context, pc *net.UnixConn) error {
	buf := make([]byte, s.cfg.MaxSize)
	var scratch [64]byte
	for {
		n, _, flags, from, err := pc.ReadMsgUnix(buf, nil)
		if err != nil {
			if s.loopError(ctx, err) {
				return ctxOr(ctx, err)
			}
			continue
		}
		if reply, ok := s.datagramReply(buf[:n], flags&syscall.MSG_TRUNC != 0, scratch[:0]); ok {
			s.replyUnix(pc, reply, from)
		}
	}
}

// replyUnix answers a unixgram sender; one that did not bind a name
// cannot be answered (unix(7)) and counts as an error.
func (s *Server) replyUnix(pc *net.UnixConn, reply []byte, to *net.UnixAddr) {
	if to == nil || to.Name == "" {
		s.stats.errors.Add(1)
		return
	}
	s.sent(pc.WriteToUnix(reply, to))
}

// ctxOr returns nil when the loop ended because ctx was cancelled.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// datagramReply counts datagram p and returns the reply, if any.
func (s *Server) datagramReply(p []byte, trunc bool, scratch []byte) ([]byte, bool) {
	s.stats.dgIn.Add(1)
	s.stats.bytesIn.Add(uint64(len(p)))
	if trunc {
		s.stats.oversize.Add(1)
		return nil, false
	}
	switch s.cfg.Mode {
	case Echo:
		return p, true
	case Chargen:
		// RFC 864: a datagram of a random number (0 to 512) of
		// characters; successive replies start on successive lines.
		k := int(s.stats.dgIn.Load() % chargenChars)
		off := k * chargenLineLen
		return chargenText()[off : off+rand.IntN(513)], true
	case Daytime:
		return append(scratch, DaytimeString(s.now())...), true
	case Fixed:
		return s.reply, true
	}
	return nil, false // Discard
}

// sent counts the outcome of one reply.
func (s *Server) sent(n int, err error) {
	if err != nil {
		s.stats.errors.Add(1)
		return
	}
	s.stats.dgOut.Add(1)
	s.stats.bytesOut.Add(uint64(n))
}

// drainDatagrams answers the datagrams queued on the socket, without
// waiting for more, until the queue is empty or until deadline.
func (s *Server) drainDatagrams(deadline time.Time) {
	sysc, ok := s.pc.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sysc.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, s.cfg.MaxSize)
	var scratch [64]byte
	for time.Now().Before(deadline) {
		var (
			n           int
			trunc, more bool
			from        any
			rerr        error
		)
		err := rc.Control(func(fd uintptr) {
			var again bool
			n, trunc, from, again, rerr = recvQueued(fd, buf)
			more = !again
		})
		if err != nil || rerr != nil || !more {
			return
		}
		reply, ok := s.datagramReply(buf[:n], trunc, scratch[:0])
		if !ok {
			continue
		}
		switch to := from.(type) {
		case netip.AddrPort:
			s.sent(s.pc.(*net.UDPConn).WriteToUDPAddrPort(reply, to))
		case *net.UnixAddr:
			s.replyUnix(s.pc.(*net.UnixConn), reply, to)
		default:
			s.stats.errors.Add(1)
		}
	}
}

// updateDrops refreshes KernelDrops from the socket while it is open.
func (s *Server) updateDrops() {
	if _, ok := s.pc.(*net.UDPConn); !ok {
		return
	}
	rc, err := s.pc.(syscall.Conn).SyscallConn()
	if err != nil {
		return
	}
	var drops uint64
	var derr error
	if rc.Control(func(fd uintptr) { drops, derr = socketDrops(fd) }) != nil || derr != nil {
		return
	}
	for {
		old := s.stats.drops.Load()
		if drops <= old || s.stats.drops.CompareAndSwap(old, drops) {
			return
		}
	}
}
