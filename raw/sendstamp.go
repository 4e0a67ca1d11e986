package raw

import "time"

// SendStamp is the kernel's time for a packet it sent (EnableSendStamps).
type SendStamp struct {
	// Key is the number of the send that made the packet, counted from 0
	// at EnableSendStamps: a sendmmsg(2) of n packets counts n sends.
	Key uint32
	// Time is when the packet left for the device, by the software clock
	// (the clock of Message.Received).
	Time time.Time
}

// EnableSendStamps asks the kernel for the time each packet sent from now
// on leaves (SO_TIMESTAMPING with TX_SOFTWARE, OPT_ID and OPT_TSONLY,
// Documentation/networking/timestamping.rst), which TryReadSendStamps
// reads: a round trip from the send stamp leaves out the system call's
// way into the kernel and whatever delayed it. The stamps wait on the
// socket's error queue, so a Config.RecvErr socket, whose reads take that
// queue, refuses them.
func (c *Conn) EnableSendStamps() error { return c.enableSendStamps() }

// TryReadSendStamps fills st with the stamps queued so far, in the order
// the packets left, without waiting, and returns how many; 0 when none
// is queued. The kernel queues a packet's stamp as it leaves, before any
// answer to it can come back. It does not allocate.
func (c *Conn) TryReadSendStamps(st []SendStamp) (int, error) { return c.tryReadSendStamps(st) }

// PerSendStampKeys reports whether the kernel takes the key of a send's
// stamp from the send (SCM_TS_OPT_ID, Linux 6.13), as WriteToWith passes
// SendOptions.StampKey: stamps are then matched to their packets by a
// key the sender chose, not by counting sends, which a send that fails
// after the kernel took its key would throw off.
func PerSendStampKeys() bool { return perSendStampKeys() }
