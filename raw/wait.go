package raw

import "context"

// WaitRead blocks until a packet is queued to read, the read deadline
// passes, ctx is done or the Conn is closed, and reads nothing: the
// packet stays queued for TryReadMsg or ReadBatch. A reader that waits
// this way holds nothing it has taken from the socket while it waits,
// so another goroutine can tell, with Readable, that no packet is
// either queued or on its way through that reader.
func (c *Conn) WaitRead(ctx context.Context) error { return c.waitRead(ctx) }

// Readable reports whether a packet (or a pending socket error) is
// queued to read now, without waiting (poll(2) with a zero timeout).
func (c *Conn) Readable() (bool, error) { return c.readable() }
