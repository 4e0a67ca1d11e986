package trace

import (
	"context"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp"

	xicmp "golang.org/x/net/icmp"
)

// take settles the probe an answer is for; answers to probes no longer
// in flight (late, duplicated, beyond the destination) are dropped.
func (r *monitorRun) take(ma monitorAnswer) {
	if ma.flow < 0 || ma.flow >= len(r.slots) || ma.a.idx < 0 || ma.a.idx >= r.m.ring {
		return
	}
	sl := &r.slots[ma.flow][ma.a.idx]
	rd := r.find(sl.round)
	if !sl.busy || rd == nil {
		return
	}
	recv := ma.a.received
	if recv.IsZero() {
		recv = r.clock.Now()
	}
	if sl.stamp.IsZero() && sl.key >= 0 {
		r.readStamps() // queued when the probe left, before its answer
	}
	sent := sl.sent
	if !sl.stamp.IsZero() {
		sent = sl.stamp
	}
	rtt := max(recv.Sub(sent), 0).Truncate(time.Microsecond)
	res := &ma.a.res
	p := MonitorProbe{Round: sl.round, Flow: ma.flow, TTL: sl.ttl, Sent: sl.sent, Answered: true, From: ma.a.from,
		RTT: rtt, Type: res.Type, Code: res.Code, Reached: res.Reached, Final: res.Final,
		QuotedTOS: res.QuotedTOS, NAT: ma.nat, MPLS: mplsOf(res.Extensions)}
	r.settle(sl, rd)
	r.m.mu.Lock()
	r.m.stats.Add(p)
	stop := r.m.stats.Stop()
	r.m.mu.Unlock()
	r.shorten(rd, ma.flow, sl.ttl, rtt)
	if p.Final {
		r.forgetBeyond(stop)
	}
	if r.m.s.Probe != nil {
		r.m.s.Probe(p)
	}
}

// shorten applies the NEAR rule: probes of the same round and flow at
// lower TTLs, still unanswered though a farther router answered, are
// waited for at most NearFactor times that answer's round trip.
func (r *monitorRun) shorten(rd *mround, flow, ttl int, rtt time.Duration) {
	f := r.m.s.NearFactor
	if f <= 0 {
		return
	}
	wait := min(time.Duration(float64(rtt+waitPrecision)*f), r.m.s.Wait)
	for _, p := range rd.probes {
		if p.flow != flow || p.ttl >= ttl || p.idx < 0 {
			continue
		}
		if sl := &r.slots[flow][p.idx]; sl.busy && sl.round == rd.n {
			if d := sl.sent.Add(wait); d.Before(sl.deadline) {
				sl.deadline = d
				r.deadlines.Reset(sl.timeout, d)
			}
		}
	}
}

// forgetBeyond drops the probes of open rounds beyond the TTL where the
// path ends: sent ones no longer count, unsent ones are not sent.
func (r *monitorRun) forgetBeyond(stop int) {
	for _, rd := range r.rounds {
		for k := range rd.probes {
			p := &rd.probes[k]
			if p.ttl <= stop {
				continue
			}
			switch {
			case p.idx == -1:
				p.idx = -2
				rd.pending--
			case p.idx >= 0:
				if sl := &r.slots[p.flow][p.idx]; sl.busy && sl.round == rd.n {
					r.settle(sl, rd)
					r.m.mu.Lock()
					r.m.stats.Forget(p.ttl)
					r.m.mu.Unlock()
				}
			}
		}
	}
}

// lose settles a probe in flight as unanswered.
func (r *monitorRun) lose(flow, idx int) {
	sl := &r.slots[flow][idx]
	rd := r.find(sl.round)
	if !sl.busy || rd == nil {
		return
	}
	r.settle(sl, rd)
	p := MonitorProbe{Round: sl.round, Flow: flow, TTL: sl.ttl, Sent: sl.sent, Type: -1, Code: -1, QuotedTOS: -1}
	r.m.mu.Lock()
	r.m.stats.Add(p)
	r.m.mu.Unlock()
	if r.m.s.Probe != nil {
		r.m.s.Probe(p)
	}
}

// expire gives up on the probes whose wait has passed.
func (r *monitorRun) expire(now time.Time) {
	for {
		_, ref, ok := r.deadlines.PopDue(now)
		if !ok {
			return
		}
		r.lose(ref.flow, ref.idx)
	}
}

// settle takes a probe out of flight.
func (r *monitorRun) settle(sl *mslot, rd *mround) {
	sl.busy = false
	r.deadlines.Remove(sl.timeout)
	rd.pending--
}

// complete closes the rounds, in order, whose probes are all settled.
func (r *monitorRun) complete(now time.Time) {
	for len(r.rounds) > 0 {
		rd := r.rounds[0]
		if rd.pending > 0 {
			return
		}
		r.rounds = r.rounds[1:]
		r.m.mu.Lock()
		r.m.stats.RoundDone(now)
		n := r.m.stats.Rounds()
		r.m.mu.Unlock()
		if r.m.s.Round != nil {
			r.m.s.Round(n, now)
		}
	}
}

// readStamps takes the kernel send stamps queued on the probe socket
// (see stamp.go): a probe's round trip runs from its stamp.
func (r *monitorRun) readStamps() {
	st, ok := r.m.path.send.(sendStamper)
	if !ok || r.keys == nil {
		return
	}
	for {
		n, err := st.TryReadStamps(r.stampBuf[:])
		for _, x := range r.stampBuf[:n] {
			ref := r.keys[int(x.key)%len(r.keys)]
			if ref.key != int(x.key) {
				continue
			}
			if sl := &r.slots[ref.flow][ref.idx]; sl.key == ref.key {
				sl.stamp = x.at
			}
		}
		if err != nil || n < len(r.stampBuf) {
			return
		}
	}
}

// mplsOf returns the RFC 4950 label stack of an answer's extensions.
func mplsOf(exts []xicmp.Extension) []MPLSLabel {
	var out []MPLSLabel
	for _, e := range exts {
		st, ok := e.(*xicmp.MPLSLabelStack)
		if !ok {
			continue
		}
		for _, l := range st.Labels {
			out = append(out, MPLSLabel{Label: uint32(l.Label), TC: l.TC, S: l.S, TTL: l.TTL})
		}
	}
	return out
}

// receive reads answers from c until ctx is done, and hands those that
// match a probe of one of the monitor's flows to the run.
func (m *Monitor) receive(ctx context.Context, c pathConn, tcp bool, out chan<- monitorAnswer) {
	ms := make([]icmp.Message, 16)
	for i := range ms {
		ms[i].Buf = make([]byte, 2048)
	}
	for {
		n, err := c.TryReadBatch(ms)
		if err != nil {
			return
		}
		if n == 0 {
			if err := c.WaitRead(ctx); err != nil {
				return
			}
			continue
		}
		for _, msg := range ms[:n] {
			ma, ok := m.match(msg.Data, msg.Src, tcp)
			if !ok {
				continue
			}
			ma.a.received = msg.Received
			select {
			case out <- ma:
			case <-ctx.Done():
				return
			}
		}
	}
}

// match finds the flow and probe a message answers.
func (m *Monitor) match(data []byte, src netip.Addr, tcp bool) (monitorAnswer, bool) {
	if !tcp && m.rewritten(data) {
		return m.matchNAT(data, src)
	}
	for f := range m.probers {
		pr := &m.probers[f]
		var a answer
		var ok bool
		if tcp {
			a, ok = pr.tcpAnswer(data, src)
		} else {
			a, ok = pr.icmpAnswer(data, src)
		}
		if ok {
			return monitorAnswer{flow: f, a: a}, true
		}
	}
	if !tcp {
		return m.matchNAT(data, src)
	}
	return monitorAnswer{}, false
}

// rewritten reports an ICMP error quoting a datagram whose source is not
// the probes': a NAT rewrote it on the way out.
func (m *Monitor) rewritten(data []byte) bool {
	pr := &m.probers[0]
	e, err := icmp.ParseErrorFor(pr.v6, data)
	return err == nil && e.Quote.Src.IsValid() && e.Quote.Src != pr.src.WithZone("")
}
