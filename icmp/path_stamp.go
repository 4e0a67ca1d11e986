package icmp

import (
	"context"
	"time"
)

// Send stamps. A probe's round trip runs from the kernel's send time to
// the kernel's receive time, as ping's does with SO_TIMESTAMPING: the
// time taken before the write also counts the system call's way into the
// kernel, and on a busy machine whatever delays it. The probe socket
// asks for a software transmit stamp of every packet
// (SOF_TIMESTAMPING_TX_SOFTWARE), which the kernel queues on the
// socket's error queue, keyed by the number of the send that made the
// packet (SOF_TIMESTAMPING_OPT_ID; Documentation/networking/timestamping.rst).
// The run keeps the probe of each send number; a stamp that never comes
// leaves the time taken before the write.

// sendStamp is the kernel's send time of the send numbered key.
type sendStamp struct {
	key uint32
	at  time.Time
}

// sendStamper is a probe socket that reports its packets' send stamps.
type sendStamper interface {
	// ReadStamps waits until stamps are queued and fills st with up to
	// len(st) of them, in the order of the sends; it fails once
	// Unblock was called.
	ReadStamps(st []sendStamp) (int, error)
	// Unblock ends ReadStamps, waiting or to come.
	Unblock()
}

// readStamps passes the stamps of s to the run until ctx is done.
func readStamps(ctx context.Context, s sendStamper, out chan<- runEvent) {
	stop := context.AfterFunc(ctx, s.Unblock)
	defer stop()
	st := make([]sendStamp, 16)
	for {
		n, err := s.ReadStamps(st)
		if err != nil {
			return
		}
		for _, x := range st[:n] {
			select {
			case out <- runEvent{kind: eventStamp, key: x.key, at: x.at}:
			case <-ctx.Done():
				return
			}
		}
	}
}
