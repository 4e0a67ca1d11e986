package endpoint

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// DefaultLinger is how long a datagram relay waits for replies after its
// input ends, when RelayConfig.Linger is zero.
const DefaultLinger = time.Second

// RelayConfig tunes Relay. A nil *RelayConfig means all defaults.
type RelayConfig struct {
	// Linger is how long a datagram relay keeps reading replies after
	// its input ends; zero means DefaultLinger. Stream relays instead
	// read until the peer closes.
	Linger time.Duration
}

// RelayStats counts what a relay moved.
type RelayStats struct {
	Sent     uint64 // bytes from the input to the connection
	Received uint64 // bytes from the connection to the output
}

// Relay copies in to c and c to out, as netcat does. On a stream, the end
// of in half-closes c (CloseWrite) and Relay goes on reading until the
// peer closes; on a datagram connection each read from in is sent as one
// datagram and replies are read until Linger after in ends. A read
// timeout set on c ends the relay with a timeout error while in is still
// open; after in has ended on a datagram connection, it ends the relay
// as the linger does.
//
// When the peer closes first, Relay stops reading in: if in has a
// SetReadDeadline method (an *os.File on a pipe or terminal opened
// non-blocking), the pending Read is interrupted and Relay waits for it;
// otherwise Relay returns without waiting for that one Read to return.
// Cancelling ctx ends the relay with ctx's error.
func Relay(ctx context.Context, c *Conn, in io.Reader, out io.Writer, cfg *RelayConfig) (RelayStats, error) {
	var rc RelayConfig
	if cfg != nil {
		rc = *cfg
	}
	if rc.Linger <= 0 {
		rc.Linger = DefaultLinger
	}
	stream := isStream(c.LocalAddr().Network())
	w0, r0 := c.BytesWritten(), c.BytesRead()
	stats := func() RelayStats { return RelayStats{Sent: c.BytesWritten() - w0, Received: c.BytesRead() - r0} }

	inDone := make(chan error, 1)
	go func() { inDone <- relayInput(c, in, stream, rc.Linger) }()
	stop := context.AfterFunc(ctx, func() {
		_ = c.SetDeadline(time.Unix(1, 0))
		interruptInput(in)
	})
	defer stop()

	outErr := relayOutput(c, out, stream)
	select {
	case inErr := <-inDone:
		if outErr == nil {
			outErr = inErr
		}
	default:
		// The peer finished first. Interrupt the input if possible and
		// wait for it; a reader without deadlines is left to its Read.
		if interruptInput(in) {
			<-inDone
		}
	}
	if ctx.Err() != nil {
		return stats(), ctx.Err()
	}
	return stats(), outErr
}

func isStream(network string) bool {
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
		return true
	}
	return false
}

// relayInput copies in to c. On a stream its end half-closes c; on a
// datagram connection it starts the linger before the relay ends.
func relayInput(c *Conn, in io.Reader, stream bool, linger time.Duration) error {
	buf := make([]byte, 65507) // one datagram at most: the largest UDP payload over IPv4
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			if stream {
				return c.CloseWrite()
			}
			return c.SetReadDeadline(time.Now().Add(linger))
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil // interrupted by Relay
			}
			return err
		}
	}
}

// relayOutput copies c to out until the peer closes (stream) or until the
// linger after the input's end runs out (datagrams).
func relayOutput(c *Conn, out io.Writer, stream bool) error {
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == nil {
			continue
		}
		if stream && errors.Is(err, io.EOF) {
			return nil
		}
		if !stream && errors.Is(err, os.ErrDeadlineExceeded) && lingering(c) {
			return nil
		}
		return err
	}
}

// lingering reports whether a datagram relay's input has ended (it set
// the linger's deadline): a deadline that passes then, the linger's or a
// read timeout's, ends the relay. Telling the two apart by the time
// misread a read that began before the input ended: its read timeout,
// counted from its start, came first though both were as long, and the
// relay failed when a busy scheduler ran the input late.
func lingering(c *Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.userRD.IsZero()
}

// interruptInput wakes a Read blocked on in, if in has deadlines.
func interruptInput(in io.Reader) bool {
	d, ok := in.(interface{ SetReadDeadline(time.Time) error })
	return ok && d.SetReadDeadline(time.Unix(1, 0)) == nil
}
