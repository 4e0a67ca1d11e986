package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"errors"
	"os"
	"sync/atomic"
	"time"
)

// bufSize is the receive buffer per message: the largest IPv4 header, the
// ICMP header and the payload, and never less than an error quoting 576
// bytes needs.
func (e *Engine) bufSize() int { return max(1500, 60+echoHeaderLen+e.size) }

func (e *Engine) newMessages() []icmp.Message {
	ms := make([]icmp.Message, readBatch)
	for i := range ms {
		ms[i].Buf = make([]byte, e.bufSize())
	}
	return ms
}

// receiveLoop is the receiver of a paced run: it blocks in ReadBatch
// until Run sets stopping and a read deadline in the past.
func (e *Engine) receiveLoop(s *echoSock, stopping *atomic.Bool) error {
	ms := e.newMessages()
	var evs []Event
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
		evs = e.process(s, ms[:n], evs[:0])
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// process matches a batch of messages received on s and delivers the
// events.
func (e *Engine) process(s *echoSock, ms []icmp.Message, evs []Event) []Event {
	e.hmu.Lock()
	e.mu.Lock()
	var t int64 // read once, and only for a message the kernel did not stamp
	for i := range ms {
		if t == 0 && ms[i].Received.IsZero() {
			t = now()
		}
		evs = e.match(s, evs, &ms[i], t)
	}
	e.mu.Unlock()
	e.deliver(evs)
	e.hmu.Unlock()
	return evs
}

// match takes one message: an echo reply of ours, an ICMP error quoting
// one of our requests, or something to ignore.
func (e *Engine) match(s *echoSock, evs []Event, m *icmp.Message, t int64) []Event {
	d := m.Data
	if len(d) < echoHeaderLen {
		return evs
	}
	at := t
	if !m.Received.IsZero() {
		at = m.Received.UnixNano()
	}
	if m.Queued.Valid {
		return e.queuedError(s, evs, m, at)
	}
	replyType, isError := byte(icmp.TypeEchoReply), icmp.IsErrorType(int(d[0]))
	if s.v6 {
		replyType, isError = icmp.TypeEchoReplyV6, icmp.IsErrorTypeV6(int(d[0]))
	}
	if d[0] == replyType && d[1] == 0 {
		f, _ := parseEcho(d, &e.token)
		sl := e.lookup(s, f)
		if sl == nil {
			return evs
		}
		return e.reply(evs, sl, m, at)
	}
	if isError {
		return e.icmpError(s, evs, m, at)
	}
	return evs
}

// lookup finds the slot of the probe an echo (reply or quoted request)
// that came in on s belongs to, or nil when it is not one of ours, is
// stale, or went out over the other family's socket.
func (e *Engine) lookup(s *echoSock, f echoFields) *slot {
	if f.id != s.id || !f.tokenOK {
		return nil
	}
	sl := &e.ring[f.seq]
	if sl.probe == 0 || sl.state == slotFree || e.sockOf(int(sl.target)) != s {
		return nil
	}
	if f.hasProbe && f.probe != sl.probe {
		return nil // from another wrap of the sequence: stale, not a duplicate
	}
	return sl
}

func (e *Engine) reply(evs []Event, sl *slot, m *icmp.Message, at int64) []Event {
	tg := &e.targets[sl.target]
	rtt := time.Duration(at - atomic.LoadInt64(&sl.sent))
	ev := Event{Kind: EventReply, Target: int(sl.target), Dst: tg.addr, Seq: uint16(sl.probe),
		Probe: int(sl.n), From: m.Src, Bytes: len(m.Data), TTL: m.TTL, RTT: rtt, Time: time.Unix(0, at)}
	if p := m.Data[echoHeaderLen:]; len(p) > checkedFrom {
		if ev.WrongByte = wrongByte(p, e.cfg.Pattern); ev.WrongByte > 0 {
			ev.Payload = p
		}
	}
	switch sl.state {
	case slotPending:
		tg.stats.Received++
		e.total.Received++
	case slotReplied:
		ev.Kind = EventDuplicate
		tg.stats.Duplicates++
		e.total.Duplicates++
	default: // lost or errored: a late reply still counts, as in iputils
		ev.Late = true
		tg.stats.Lost--
		e.total.Lost--
		tg.stats.Received++
		e.total.Received++
	}
	sl.state = slotReplied
	e.heap.unschedule(sl)
	e.pipe(tg, sl)
	tg.stats.sample(rtt)
	e.total.sample(rtt)
	return e.emit(evs, ev)
}

// pipe records iputils' "pipe": how many of the target's probes were
// out when an answer to sl came back, sl included.
func (e *Engine) pipe(tg *target, sl *slot) {
	p := tg.stats.Transmitted - int(sl.n) + 1
	tg.stats.Pipe = max(tg.stats.Pipe, p)
	e.total.Pipe = max(e.total.Pipe, p)
}

// icmpError matches an ICMP error to the request it quotes: identifier,
// sequence, the token and probe number when the quote is long enough, and
// the quoted destination, which must be the probe's target.
func (e *Engine) icmpError(s *echoSock, evs []Event, m *icmp.Message, at int64) []Event {
	ie, err := icmp.ParseErrorFor(s.v6, m.Data)
	if err != nil {
		return evs
	}
	id, seq, payload, ok := ie.Quote.Echo()
	if !ok {
		return evs
	}
	f := quotedEcho(id, seq, payload, &e.token)
	return e.matchedError(s, evs, f, ie, m, at)
}

// queuedError takes an ICMP error from a ping socket's error queue.
func (e *Engine) queuedError(s *echoSock, evs []Event, m *icmp.Message, at int64) []Event {
	ie, ok := queuedErrorOf(m, s.v6)
	if !ok {
		return evs
	}
	id, seq, payload, _ := ie.Quote.Echo()
	return e.matchedError(s, evs, quotedEcho(id, seq, payload, &e.token), ie, m, at)
}

// queuedErrorOf reads an ICMP error from a ping socket's error queue: the
// kernel gives its type, code and sender apart, and the echo request it
// quotes as the data. ok is false when it quotes no echo request of the
// socket's family or is no error type.
func queuedErrorOf(m *icmp.Message, v6 bool) (ie icmp.Error, ok bool) {
	d, q := m.Data, &m.Queued
	if len(d) < echoHeaderLen {
		return ie, false
	}
	ie = icmp.Error{IPv6: v6, Type: q.Type, Code: q.Code,
		Quote: icmp.Quote{Dst: q.Dst.WithZone(""), Protocol: icmp.ProtocolICMP, TTL: -1, TOS: -1, ID: -1, Payload: d}}
	switch {
	case v6:
		if d[0] != icmp.TypeEchoV6 || !icmp.IsErrorTypeV6(q.Type) {
			return ie, false
		}
		ie.Quote.Protocol = icmp.ProtocolICMPv6
		if q.Type == icmp.TypePacketTooBigV6 {
			ie.MTU = int(q.Info)
		}
	case d[0] != icmp.TypeEcho || !icmp.IsErrorType(q.Type):
		return ie, false
	case q.Type == icmp.TypeDestUnreach && q.Code == 4:
		ie.MTU = int(q.Info)
	}
	return ie, true
}

// matchedError counts an ICMP error whose quoted request has fields f,
// if that request is one of the run's and went to the quoted destination.
func (e *Engine) matchedError(s *echoSock, evs []Event, f echoFields, ie icmp.Error, m *icmp.Message, at int64) []Event {
	seq := f.seq
	sl := e.lookup(s, f)
	if sl == nil {
		return evs
	}
	tg := &e.targets[sl.target]
	if ie.Quote.Dst != tg.addr.WithZone("") { // a quote carries no zone
		return evs
	}
	ie.From = m.Src
	tg.stats.Errors++
	e.total.Errors++
	if sl.state == slotPending {
		sl.state = slotErrored
		e.heap.unschedule(sl)
		tg.stats.Lost++
		e.total.Lost++
	}
	if !s.v6 {
		// iputils counts an error toward "pipe" for IPv4 only: its IPv6
		// errors come from the error queue, which does not acknowledge
		// the probe (ping6_common.c).
		e.pipe(tg, sl)
	}
	return e.emit(evs, Event{Kind: EventError, Target: int(sl.target), Dst: tg.addr, Seq: seq,
		Probe: int(sl.n), From: m.Src, TTL: m.TTL, RTT: time.Duration(at - atomic.LoadInt64(&sl.sent)),
		Time: time.Unix(0, at), ICMP: ie})
}

// quotedEcho reads the fields of a quoted echo request, of which an error
// may carry as little as the 8-byte header.
func quotedEcho(id, seq uint16, payload []byte, tok *Token) echoFields {
	f := echoFields{typ: icmp.TypeEcho, id: id, seq: seq}
	f.setPayload(payload, tok)
	return f
}
