package endpoint

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// tagLen is the header of a datagram echo message: connection tag and
// sequence number, 4 bytes each.
const tagLen = 8

// Flight states.
const (
	free uint8 = iota
	pending
	resolved // echoed (intact or not) or counted lost
)

type flight struct {
	seq   uint64
	sent  time.Time
	state uint8
}

// echoWorker drives one connection: a writer keeps up to Window messages
// in flight, a reader checks the echoes. Message seq occupies ring slot
// seq%len(ring), and seq may be sent only once every message before
// seq-len(ring)+1 is resolved, so a slot is never taken while in use.
// On streams echoes come in order and the ring holds Window slots; on
// datagrams it holds many more, so that a lost datagram, which stays
// pending until its timeout, holds back only its own slot.
type echoWorker struct {
	conn    *Conn
	stream  bool
	c       *EchoConfig
	pattern []byte
	tag     uint32

	mu      sync.Mutex
	ring    []flight
	oldest  uint64 // lowest sequence number that may still be pending
	nsent   uint64
	pending int
	failed  bool
	err     error
	wake    chan struct{} // the writer waits here for a free slot

	// Written by the reader, read after both goroutines end.
	ok, mismatch, late, lost, bytes, drops uint64
	lat                                    []time.Duration
}

func newEchoWorker(conn *Conn, stream bool, c *EchoConfig, pattern []byte) *echoWorker {
	var t [4]byte
	_, _ = io.ReadFull(randReader{}, t[:])
	slots := c.Window
	if !stream {
		slots = min(max(64*c.Window, 4096), c.Messages)
	}
	return &echoWorker{conn: conn, stream: stream, c: c, pattern: pattern,
		tag: binary.BigEndian.Uint32(t[:]), ring: make([]flight, slots),
		wake: make(chan struct{}, 1), lat: make([]time.Duration, 0, c.Messages)}
}

func (w *echoWorker) run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { w.fail(ctx.Err()) })
	defer stop()
	if w.stream && w.c.Window == 1 && w.c.MaxSize <= lockstepMax {
		w.lockstep()
		_ = w.conn.Close()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.read()
	}()
	w.write(ctx)
	// Wake the reader: everything is resolved, or the connection failed.
	_ = w.conn.SetReadDeadline(time.Unix(1, 0))
	<-done
	if !w.stream {
		w.drops, _ = w.conn.Drops()
	}
	_ = w.conn.Close()
}

// fail records the first error and stops both sides.
func (w *echoWorker) fail(err error) {
	w.mu.Lock()
	if !w.failed {
		w.failed, w.err = true, err
	}
	w.mu.Unlock()
	_ = w.conn.SetDeadline(time.Unix(1, 0))
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// size and body define message seq; the reader recomputes them.
func (w *echoWorker) size(seq uint64) int {
	if w.c.MaxSize == w.c.Size {
		return w.c.Size
	}
	return w.c.Size + int(mix(seq, w.tag)%uint64(w.c.MaxSize-w.c.Size+1))
}

func (w *echoWorker) body(seq uint64, n int) []byte {
	off := int(mix(seq^0x9e3779b97f4a7c15, w.tag) % patternSpan)
	return w.pattern[off : off+n]
}

// mix is splitmix64's finaliser: a cheap, well-spread hash.
func mix(x uint64, tag uint32) uint64 {
	x += uint64(tag)<<32 | 0x9e3779b9
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (w *echoWorker) headed(n int) bool { return !w.stream && n >= tagLen }

// write sends every message, then waits until all are resolved.
func (w *echoWorker) write(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	sbuf := make([]byte, 0, w.c.MaxSize)
	slots := uint64(len(w.ring))
	for seq := uint64(0); seq < uint64(w.c.Messages); seq++ {
		if !w.waitFor(ctx, timer, func() bool { return w.pending < w.c.Window && seq < w.oldest+slots }) {
			return
		}
		n := w.size(seq)
		msg := w.body(seq, n)
		if w.headed(n) {
			sbuf = binary.BigEndian.AppendUint32(sbuf[:0], w.tag)
			sbuf = binary.BigEndian.AppendUint32(sbuf, uint32(seq))
			msg = append(sbuf, msg[tagLen:]...)
		}
		w.mu.Lock()
		w.ring[seq%slots] = flight{seq: seq, sent: time.Now(), state: pending}
		w.nsent = seq + 1
		w.pending++
		w.mu.Unlock()
		if _, err := w.conn.Write(msg); err != nil {
			w.fail(err)
			return
		}
	}
	w.waitFor(ctx, timer, func() bool { return w.oldest == w.nsent })
}

// waitFor waits until cond (called with mu held) is true, expiring
// datagrams not echoed within the timeout. It returns false if the
// connection failed.
func (w *echoWorker) waitFor(ctx context.Context, timer *time.Timer, cond func() bool) bool {
	for {
		w.mu.Lock()
		next := w.advance(time.Now())
		ok, failed := cond(), w.failed
		w.mu.Unlock()
		if failed {
			return false
		}
		if ok {
			return true
		}
		var tc <-chan time.Time
		if next > 0 {
			timer.Reset(next)
			tc = timer.C
		}
		select {
		case <-w.wake:
		case <-tc:
		case <-ctx.Done():
			return false
		}
	}
}

// advance moves oldest past resolved messages and, on datagrams, counts
// as lost those pending longer than the timeout. It returns how long
// until the oldest pending datagram expires (0: nothing to expire).
func (w *echoWorker) advance(now time.Time) time.Duration {
	for w.oldest < w.nsent {
		f := &w.ring[w.oldest%uint64(len(w.ring))]
		if f.state == pending {
			if w.stream {
				return 0
			}
			if left := w.c.Timeout - now.Sub(f.sent); left > 0 {
				return left
			}
			f.state = resolved
			w.pending--
			w.lost++
		}
		w.oldest++
	}
	return 0
}

// read checks echoes until the writer is done or the connection fails.
func (w *echoWorker) read() {
	rbuf := make([]byte, w.c.MaxSize+1)
	for rseq := uint64(0); !w.stream || rseq < uint64(w.c.Messages); rseq++ {
		var n int
		var err error
		if w.stream {
			n = w.size(rseq)
			_, err = io.ReadFull(w.conn, rbuf[:n])
		} else {
			n, err = w.conn.Read(rbuf)
		}
		if err != nil {
			w.mu.Lock()
			done := w.oldest == uint64(w.c.Messages) || w.failed
			w.mu.Unlock()
			if !done || !errors.Is(err, os.ErrDeadlineExceeded) {
				w.fail(err)
			}
			return
		}
		w.check(rseq, rbuf[:n])
	}
}

// check resolves the message an echo belongs to. For streams that is
// the next one in order; datagrams name theirs in the header.
func (w *echoWorker) check(rseq uint64, got []byte) {
	now := time.Now()
	seq := rseq
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.stream:
	case w.headed(w.c.Size):
		if len(got) < tagLen || binary.BigEndian.Uint32(got) != w.tag {
			w.mismatch++ // not ours: misdelivered or corrupted beyond recognition
			return
		}
		// Rebuild the full sequence number from its low 32 bits.
		seq = w.oldest&^0xffffffff | uint64(binary.BigEndian.Uint32(got[4:]))
	default:
		seq = w.oldest // no header: the one message in flight
	}
	f := &w.ring[seq%uint64(len(w.ring))]
	if f.seq != seq || f.state != pending {
		w.late++
		return
	}
	f.state = resolved
	w.pending--
	n := w.size(seq)
	want := w.body(seq, n)
	if w.headed(n) {
		got, want = got[min(tagLen, len(got)):], want[tagLen:]
	}
	if len(got) != len(want) || !bytes.Equal(got, want) {
		w.mismatch++
	} else {
		w.ok++
		w.bytes += uint64(n)
		w.lat = append(w.lat, now.Sub(f.sent))
	}
	if seq == w.oldest {
		w.advance(now)
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
