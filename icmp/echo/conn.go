package echo

import (
	"context"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp"
)

// Conn is what the echo engine needs from a socket: batch reads (recvmmsg)
// with the sender's address, TTL and kernel receive time, writes to an
// address, a read deadline and Close. Listen returns one over a raw or ping socket;
// tests use an in-memory one.
type Conn interface {
	// ReadBatch fills ms[i].Data (from ms[i].Buf) and the metadata of up
	// to len(ms) messages, blocking until at least one is there, the read
	// deadline passes or ctx is done.
	ReadBatch(ctx context.Context, ms []icmp.Message) (int, error)
	// WriteTo sends one ICMP message to dst.
	WriteTo(ctx context.Context, b []byte, dst netip.Addr) (int, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// fastConn is a Conn that can also send and read without waiting and
// without the runtime poller (raw.Conn's TryWriteTo and TryReadMsg). The
// flood loop sends and reads through it as long as neither would block:
// on loopback a reply is queued before its request's write returns, and
// the poller's bookkeeping around each call would cost as much as the
// kernel's work.
type fastConn interface {
	// send writes b to dst; false, with nothing sent, means the send
	// buffer is full.
	send(b []byte, dst netip.Addr) (bool, error)
	// recv reads a queued message into m; false means none was queued.
	recv(m *icmp.Message) (bool, error)
}
