package trace

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"syscall"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/raw"
)

// Unprivileged reports whether the monitor probes through ping sockets
// (NewPingMonitor).
func (m *Monitor) Unprivileged() bool { return m.pings != nil || m.udps != nil }

// sendPing sends flow f's probe idx at ttl on its ping socket.
func (m *Monitor) sendPing(ctx context.Context, buf []byte, f, idx, ttl int) ([]byte, error) {
	c := m.pings[f]
	if err := c.SetTTL(ttl); err != nil {
		return buf, err
	}
	hdr := ipHeaderLen
	if m.probers[f].v6 {
		hdr = ipv6HeaderLen
	}
	n := max(m.s.Length-hdr, icmpHeaderLen+parisPad)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	b := buf[:n]
	clear(b)
	m.probers[f].echo(b, idx)
	_, err := c.WriteToAddr(ctx, b, m.probers[f].dst)
	if pendingError(err) {
		// An ICMP error about an earlier probe also set the socket's
		// pending error (sk_err), which this send reported and cleared
		// (ip(7), IP_RECVERR; the error itself waits in the queue):
		// the probe was not sent, send it now.
		_, err = c.WriteToAddr(ctx, b, m.probers[f].dst)
	}
	return buf, err
}

// receivePing reads flow f's ping socket until ctx is done: echo
// replies as packets, errors from its error queue.
func (m *Monitor) receivePing(ctx context.Context, f int, out chan<- monitorAnswer) {
	c := m.pings[f]
	pr := &m.probers[f]
	b := make([]byte, 2048)
	for {
		msg, err := c.ReadMsg(ctx, b)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a local error about one send; the next read goes on
		}
		a, ok := pr.pingAnswer(msg)
		if !ok {
			continue
		}
		select {
		case out <- monitorAnswer{flow: f, a: a}:
		case <-ctx.Done():
			return
		}
	}
}

// pingAnswer matches what a ping socket read: an echo reply from the
// destination, or a queued ICMP error whose data is the request sent.
func (p *prober) pingAnswer(msg raw.Message) (answer, bool) {
	a := answer{from: msg.Src, received: msg.Received,
		res: ProbeResult{From: msg.Src, IPv6: p.v6, QuotedTTL: -1, QuotedTOS: -1}}
	d := msg.Data
	if len(d) < icmpHeaderLen {
		return a, false
	}
	seq := binary.BigEndian.Uint16(d[6:])
	if seq == 0 {
		return a, false
	}
	a.idx = int(seq) - 1
	reply, request, unreach, tooBig := byte(icmp.TypeEchoReply), byte(icmp.TypeEcho), icmp.TypeDestUnreach, -1
	if p.v6 {
		reply, request, unreach, tooBig = icmp.TypeEchoReplyV6, icmp.TypeEchoV6, icmp.TypeDestUnreachV6, icmp.TypePacketTooBigV6
	}
	switch e := msg.ExtErr; {
	case e.Origin == raw.ErrOriginICMP || e.Origin == raw.ErrOriginICMP6:
		if d[0] != request {
			return a, false
		}
		a.res.Type, a.res.Code = e.Type, e.Code
		if e.Type == unreach || e.Type == tooBig {
			a.res.Final, a.res.NextMTU = true, int(e.Info)
			a.res.Reached = sameAddr(msg.Src, p.dst)
		}
		return a, true
	case e.Origin != raw.ErrOriginNone:
		return a, false
	case d[0] == reply && sameAddr(msg.Src, p.dst):
		a.res.Type, a.res.Reached, a.res.Final = int(reply), true, true
		return a, true
	}
	return a, false
}

// pendingError reports a send error that is an earlier ICMP error
// reported late: an unreachable, or a time exceeded (EHOSTUNREACH).
func pendingError(err error) bool {
	for _, e := range []syscall.Errno{syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ECONNREFUSED,
		syscall.EPROTO, syscall.EACCES, syscall.EMSGSIZE, syscall.EHOSTDOWN, syscall.EOPNOTSUPP} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
