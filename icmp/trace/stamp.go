package trace

import "time"

// Send stamps. A probe's round trip runs from the kernel's send time to
// the kernel's receive time, as ping's does with SO_TIMESTAMPING: the
// time taken before the write also counts the system call's way into the
// kernel, and on a busy machine whatever delays it. The probe socket
// asks for a software transmit stamp of every packet
// (SOF_TIMESTAMPING_TX_SOFTWARE), which the kernel queues on the
// socket's error queue, keyed by the number of the send that made the
// packet (SOF_TIMESTAMPING_OPT_ID; Documentation/networking/timestamping.rst).
// The run keeps the probe of each send number; a stamp that never comes
// (a kernel without the option, an error queue full) leaves the time
// taken before the write.

// sendStamp is the kernel's send time of the send numbered key.
type sendStamp struct {
	key uint32
	at  time.Time
}

// sendStamper is a probe socket that reports its packets' send stamps.
// The kernel queues a packet's stamp when the packet leaves, before any
// answer to it can come, so the run reads the stamps without waiting
// when it needs them: after sending, and when an answer comes to a probe
// whose stamp it has not read yet.
type sendStamper interface {
	// TryReadStamps fills st with up to len(st) queued stamps, in the
	// order of the sends, without waiting; 0 when none is queued.
	TryReadStamps(st []sendStamp) (int, error)
}

// readStamps takes every stamp queued on the probe socket.
func (r *pathRun) readStamps() {
	st, ok := r.t.send.(sendStamper)
	if !ok || !r.t.stamps {
		return
	}
	for {
		n, err := st.TryReadStamps(r.stampBuf[:])
		for _, x := range r.stampBuf[:n] {
			r.stamp(x.key, x.at)
		}
		if err != nil || n < len(r.stampBuf) {
			// A socket that fails to give its stamps leaves the
			// times taken before the writes.
			return
		}
	}
}

// rtt is an answered probe's round trip: from the kernel's send stamp
// when there is one, else from the time taken before the write.
func (p *probe) rtt() time.Duration {
	sent := p.sent
	if !p.stamp.IsZero() {
		sent = p.stamp
	}
	return max(p.recv.Sub(sent), 0)
}

// stamp records the kernel's send time of the send numbered key. A
// stamp that comes after its probe's answer corrects the round trip, as
// long as the hop is not reported yet.
func (r *pathRun) stamp(key uint32, at time.Time) {
	if int64(key) >= int64(len(r.keys)) {
		return
	}
	p := &r.probes[r.keys[key]]
	if p.key != int(key) {
		return // sent again since (MTU mode): the stamp is the old send's
	}
	p.stamp = at
	if p.state == probeDone && p.res.Answered && p.ttl > r.emitted {
		p.res.RTT = p.rtt()
	}
}
