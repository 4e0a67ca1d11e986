package echo

import (
	"errors"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/rawkit/rawkit/icmp"
)

// receiveLoop reads socket si until Run sets stopping and a read
// deadline in the past.
func (m *Monitor) receiveLoop(si int, stopping *atomic.Bool) error {
	s := &m.socks[si]
	ms := make([]icmp.Message, readBatch)
	for i := range ms {
		// The largest request a target may send comes back whole: a
		// reply is read into a buffer of the largest packet.
		ms[i].Buf = make([]byte, 1<<16)
	}
	var evs []monEvent
	for {
		n, err := s.c.ReadBatch(background, ms)
		if err != nil {
			if stopping.Load() {
				return nil
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return err
		}
		m.hmu.Lock()
		m.mu.Lock()
		evs = evs[:0]
		for i := range ms[:n] {
			evs = m.match(si, evs, &ms[i])
		}
		m.mu.Unlock()
		m.deliver(evs)
		m.hmu.Unlock()
		// Drained: let replies gather for a batch (MonitorConfig.ReadWait)
		// while the kernel stamps them.
		if m.readWait > 0 && n > 0 && n < len(ms) && !ms[n-1].Received.IsZero() && !stopping.Load() {
			time.Sleep(m.readWait)
		}
	}
}

// match takes one message read on socket si: a reply to one of the
// Monitor's probes, an ICMP error quoting one, or something to ignore;
// m.mu is held.
func (m *Monitor) match(si int, evs []monEvent, msg *icmp.Message) []monEvent {
	s := &m.socks[si]
	if d := msg.Drops; d != 0 && d != s.drops && d-s.drops < 1<<31 {
		// The kernel's count only grows, and wraps at 2^32: a count
		// behind the last one seen comes from a packet queued earlier.
		m.stats.SocketDrops += uint64(d - s.drops)
		s.drops = d
	}
	if msg.Stamp.Valid {
		m.stamped(si, &msg.Stamp)
		return evs
	}
	d := msg.Data
	if len(d) < echoHeaderLen {
		return evs
	}
	var at time.Time
	if !msg.Received.IsZero() {
		at = msg.Received
	} else {
		at = m.clock.Now()
	}
	if msg.Queued.Valid {
		return m.queuedError(si, evs, msg, at)
	}
	replyType, isError := byte(icmp.TypeEchoReply), icmp.IsErrorType(int(d[0]))
	if s.v6 {
		replyType, isError = icmp.TypeEchoReplyV6, icmp.IsErrorTypeV6(int(d[0]))
	}
	switch {
	case d[0] == replyType && d[1] == 0:
		f := m.find(si, s.idOf(d), seqOf(d), d[echoHeaderLen:])
		if f == nil {
			return evs
		}
		return m.reply(evs, f, msg, at)
	case isError:
		ie, err := icmp.ParseErrorFor(s.v6, d)
		if err != nil {
			return evs
		}
		id, seq, payload, ok := ie.Quote.Echo()
		if !ok {
			return evs
		}
		return m.matchedError(si, evs, m.findQuoted(si, id, seq, payload, ie.Quote.Dst), ie, msg, at)
	}
	return evs
}

func seqOf(d []byte) uint16 { return uint16(d[6])<<8 | uint16(d[7]) }

func (s *monSock) idOf(d []byte) uint16 { return uint16(d[4])<<8 | uint16(d[5]) }

// find returns the flight an echo (a reply, or the request an error
// quotes) read on socket si belongs to: ours by identifier and token,
// and by the 64-bit number, which must have gone out on si with the
// same sequence. Nil otherwise: someone else's, or one no longer in the
// table.
func (m *Monitor) find(si int, id, seq uint16, payload []byte) *flight {
	if id != m.socks[si].id {
		return nil
	}
	no, ok := monitorFields(payload, &m.token)
	if !ok {
		return nil
	}
	_, f := m.table.lookup(no)
	if f == nil || f.sock != si || f.seq != seq {
		return nil
	}
	return f
}

// findQuoted is find for the request an ICMP error quotes to dst. A
// quote too short to hold the number (RFC 792 asks routers for the
// first 8 bytes only) is matched by identifier, destination and
// sequence against the last probes of the targets at dst, provided the
// token bytes it does hold are ours.
func (m *Monitor) findQuoted(si int, id, seq uint16, payload []byte, dst netip.Addr) *flight {
	if len(payload) >= monitorHeaderLen {
		return m.find(si, id, seq, payload)
	}
	n := min(len(payload), tokenLen)
	if id != m.socks[si].id || string(payload[:n]) != string(m.token[:n]) {
		return nil
	}
	var best *flight
	for _, p := range m.byAddr[dst] {
		for _, fi := range p.recent {
			if fi < 0 {
				continue
			}
			f := m.table.at(fi)
			if f.p == p && f.seq == seq && f.sock == si && f.dst.WithZone("") == dst && (best == nil || f.no > best.no) {
				best = f
			}
		}
	}
	return best
}

// stamped records the kernel's send stamp of a probe on socket si. Its
// key is the probe number's low 32 bits: the probe is the one of the
// last 2^32 numbered that way, which the table must still hold (a
// flight lives two timeouts, far fewer probes than 2^32), on si. A
// stamp before the time taken ahead of the write is not the write's
// (a clock step): it is dropped and the round trip keeps that time.
func (m *Monitor) stamped(si int, st *icmp.SendStamp) {
	back := uint64(uint32(m.nextNo) - st.Key) // nextNo is past every probe sent
	if back == 0 || back >= m.nextNo {
		return
	}
	_, f := m.table.lookup(m.nextNo - back)
	if f == nil || f.sock != si || f.stamp != 0 {
		return
	}
	if t := st.Time.UnixNano(); t >= atomic.LoadInt64(&f.sent) {
		f.stamp = t
	}
}

// sentAt is when f's request left: the kernel's send stamp when it came,
// else the time taken before the write.
func (m *Monitor) sentAt(f *flight) int64 {
	if f.stamp != 0 {
		return f.stamp
	}
	return atomic.LoadInt64(&f.sent)
}

// reply counts a reply to f: the probe's end, a late reply or a
// duplicate.
func (m *Monitor) reply(evs []monEvent, f *flight, msg *icmp.Message, at time.Time) []monEvent {
	if f.p.removed {
		return evs // its target is gone: the probe ends, abandoned, at its deadline
	}
	rtt := time.Duration(at.UnixNano() - m.sentAt(f))
	ev := Event{Kind: EventReply, Target: f.p.id, Dst: f.dst, Seq: f.seq, Probe: int(f.n), From: msg.Src,
		Bytes: len(msg.Data), TTL: msg.TTL, RTT: rtt, Time: at}
	if f.state == slotPending && at.After(f.deadline) {
		// Stamped after its deadline, but read before the expiry came
		// to it: lost, as the expiry would have had it, and late.
		evs = m.lose(evs, f, f.deadline)
		f.retiring = true
		m.deadlines.Reset(f.h, f.deadline.Add(f.p.timeout))
	}
	switch f.state {
	case slotPending:
		f.state = slotReplied
		m.stats.Replies++
		m.stats.InFlight--
		switch {
		case f.stamp != 0:
			m.stats.SendStamped++
		case m.socks[f.sock].stamps:
			m.stats.StampMisses++
		}
		// Kept a Timeout past its deadline for duplicates, as a lost one.
		f.retiring = true
		m.deadlines.Reset(f.h, f.deadline.Add(f.p.timeout))
	case slotReplied:
		ev.Kind = EventDuplicate
		m.stats.Duplicates++
	default: // lost: counted lost for good; further replies are duplicates
		f.state = slotReplied
		ev.Late = true
		m.stats.LateReplies++
	}
	if f.p.handler == nil {
		return evs
	}
	return append(evs, monEvent{h: f.p.handler, ev: ev})
}

// lose ends f, pending, as lost at its deadline at: counted (abandoned
// if its target is gone) and its handler told; the caller keeps it in
// the table one more Timeout. m.mu is held.
func (m *Monitor) lose(evs []monEvent, f *flight, at time.Time) []monEvent {
	f.state = slotLost
	m.stats.InFlight--
	if f.p.removed {
		m.stats.Abandoned++
		return evs
	}
	m.stats.Lost++
	if f.p.handler == nil {
		return evs
	}
	return append(evs, monEvent{h: f.p.handler, ev: Event{Kind: EventLost, Target: f.p.id, Dst: f.dst,
		Seq: f.seq, Probe: int(f.n), TTL: -1, Time: at}})
}

// queuedError takes an ICMP error from a ping socket's error queue
// (queuedErrorOf).
func (m *Monitor) queuedError(si int, evs []monEvent, msg *icmp.Message, at time.Time) []monEvent {
	ie, ok := queuedErrorOf(msg, m.socks[si].v6)
	if !ok {
		return evs
	}
	id, seq, payload, _ := ie.Quote.Echo()
	return m.matchedError(si, evs, m.findQuoted(si, id, seq, payload, ie.Quote.Dst), ie, msg, at)
}

// matchedError counts an ICMP error quoting f's request, if it went to
// the quoted destination. An error does not end the probe: it ends at
// its deadline as lost, unless a reply comes.
func (m *Monitor) matchedError(si int, evs []monEvent, f *flight, ie icmp.Error, msg *icmp.Message, at time.Time) []monEvent {
	if f == nil || f.p.removed || ie.Quote.Dst != f.dst.WithZone("") {
		return evs
	}
	m.stats.Errors++
	if f.p.handler == nil {
		return evs
	}
	ie.From = msg.Src
	return append(evs, monEvent{h: f.p.handler, ev: Event{Kind: EventError, Target: f.p.id, Dst: f.dst, Seq: f.seq,
		Probe: int(f.n), From: msg.Src, TTL: msg.TTL, RTT: time.Duration(at.UnixNano() - m.sentAt(f)),
		Time: at, ICMP: ie}})
}
