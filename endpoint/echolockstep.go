package endpoint

import (
	"bytes"
	"io"
	"time"
)

// lockstepMax is the largest message lockstep sends: a message and its
// echo fit the socket buffers, so writing it whole before reading cannot
// deadlock against the server.
const lockstepMax = 16 << 10

// lockstep drives a stream with one message in flight from a single
// goroutine, sparing the hand-off between writer and reader per message.
// The deadline is moved on only every quarter of the timeout, not per
// read: a stall fails after 3/4 to all of the timeout.
func (w *echoWorker) lockstep() {
	nc := w.conn.Conn
	rbuf := make([]byte, w.c.MaxSize)
	var rearm time.Time
	for seq := uint64(0); seq < uint64(w.c.Messages); seq++ {
		n := w.size(seq)
		msg := w.body(seq, n)
		start := time.Now()
		if start.After(rearm) {
			w.mu.Lock()
			failed := w.failed
			if !failed {
				_ = nc.SetDeadline(start.Add(w.c.Timeout))
			}
			w.mu.Unlock()
			if failed {
				return
			}
			rearm = start.Add(w.c.Timeout / 4)
		}
		w.nsent = seq + 1
		if _, err := nc.Write(msg); err != nil {
			w.fail(err)
			return
		}
		if _, err := io.ReadFull(nc, rbuf[:n]); err != nil {
			w.fail(err)
			return
		}
		if !bytes.Equal(rbuf[:n], msg) {
			w.mismatch++
			continue
		}
		w.ok++
		w.bytes += uint64(n)
		w.lat = append(w.lat, time.Since(start))
	}
}
