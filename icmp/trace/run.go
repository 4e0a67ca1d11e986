package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"fmt"
	"time"
)

type probeState int

const (
	probePending probeState = iota
	probeInFlight
	probeDone
)

type probe struct {
	ttl, q int
	state  probeState
	// sent is taken just before the probe's write; the waits count from
	// it, as traceroute's do. stamp is the kernel's send time
	// (SO_TIMESTAMPING), zero until it comes: round trips count from it
	// when it does, and end at recv, the kernel's receive time.
	sent, stamp, recv time.Time
	key               int // the send's stamp key; -1 before it is sent
	size              int
	markMTU           int
	res               ProbeResult
	// When a probe times out: the end of its wait, and when the run
	// noticed; its hop is reported once the receivers have caught up
	// with a sync asked for after that (sync), at most expireGrace
	// later.
	deadline, expired time.Time
	sync              int64
}

// pathRun is one Run's state; only Run's goroutine touches it.
type pathRun struct {
	t        *Path
	probes   []probe
	next     int   // next probe never sent
	resend   []int // probes to send again, smaller (MTU mode)
	inflight int
	stopTTL  int // the last TTL to report: max TTL, or the first final answer's
	emitted  int // the last TTL reported
	size     int // current probe size
	told     int // size last reported with MTU
	bufs     [][]byte
	frags    [][]byte // the fragments of the probe being sent
	sum      Summary

	recv     []*receiver
	acked    []int64 // per receiver: the last sync it caught up with
	syncGen  int64   // the last sync asked for
	keys     []int32 // the probe of each send, by stamp key
	stampBuf [32]sendStamp
	ms       []icmp.Message // pollAnswers' buffers
}

func (t *Path) newRun() *pathRun {
	s := &t.s
	n := (s.MaxTTL - s.FirstTTL + 1) * s.Queries
	r := &pathRun{t: t, probes: make([]probe, n), stopTTL: s.MaxTTL, emitted: s.FirstTTL - 1, size: s.Length}
	if s.MTU && t.localMTU > 0 {
		r.size = t.localMTU
	}
	for i := range r.probes {
		r.probes[i].ttl, r.probes[i].q, r.probes[i].key = s.FirstTTL+i/s.Queries, i%s.Queries, -1
	}
	if t.stamps {
		r.keys = make([]int32, 0, n+n/4)
	}
	r.sum = Summary{Destination: t.pr.dst, Source: t.pr.src}
	return r
}

// sendMore sends what the bound on probes in flight allows: probes to
// resend first, then new ones up to the last TTL still of interest.
// Between writes it takes the answers already handed over: once the
// destination has answered, probes beyond its TTL are not sent, as
// traceroute sends none beyond it. On a near destination, whose answer
// comes before the batch is out, that spares it most of the batch, and
// with them its ICMP error budget (icmp_msgs_burst, ip-sysctl).
func (r *pathRun) sendMore(ctx context.Context, answers <-chan runEvent, ev Events) error {
	sim := r.t.s.Simultaneous
	var batch []int
	for sim == 0 || r.inflight+len(batch) < sim {
		if len(r.resend) > 0 {
			batch = append(batch, r.resend[0])
			r.resend = r.resend[1:]
			continue
		}
		if r.next >= len(r.probes) || r.probes[r.next].ttl > r.stopTTL {
			break
		}
		batch = append(batch, r.next)
		r.next++
	}
	if len(batch) == 0 {
		return nil
	}
	for len(r.bufs) < len(batch) {
		r.bufs = append(r.bufs, nil)
	}
	pkts := r.bufs[:len(batch)]
	for k, i := range batch {
		p := &r.probes[i]
		p.size = r.size
		if r.t.s.MTU && r.told != r.size {
			p.markMTU, r.told = r.size, r.size
		}
		pkts[k] = r.t.pr.build(pkts[k], i, p.ttl, p.size)
	}
	// One write per probe, each stamped just before it goes: on veth
	// the kernel forwards within the sending call, so a probe's send
	// time must not be taken before its batch-mates were sent.
	for k, i := range batch {
		p := &r.probes[i]
		if k > 0 {
			r.pollAnswers(ev)
			r.takeQueued(answers, ev)
			if p.ttl > r.stopTTL {
				break // never sent; beyond stopTTL, never waited for
			}
		}
		p.sent, p.stamp, p.state = time.Now(), time.Time{}, probeInFlight
		r.inflight++
		out, ok := r.fragments(pkts, k, i)
		if !ok {
			r.refuse(i, ev)
			continue
		}
		n, err := r.t.send.WriteBatch(ctx, out, r.t.pr.dst)
		if n == len(out) {
			r.sum.Sent++
		}
		if err != nil {
			return fmt.Errorf("icmp: send probe to %v: %w", r.t.pr.dst, err)
		}
		if r.t.stamps {
			// The kernel numbers the socket's sends from 0
			// (SOF_TIMESTAMPING_OPT_ID), each fragment its own: the
			// probe's stamp is its first packet's. Stamps are taken
			// as they pile up, so that the socket's error queue,
			// bounded by its receive buffer, never drops one.
			p.key = len(r.keys)
			for range n {
				r.keys = append(r.keys, int32(i))
			}
			if len(r.keys)/len(r.stampBuf) != p.key/len(r.stampBuf) {
				r.readStamps()
			}
		}
	}
	r.readStamps()
	return nil
}

// fragments returns what probe i, built in pkts[k], goes out as:
// itself when it fits, else its fragments, copied into buffers of their
// own (r.frags never holds a probe's buffer). ok is false for a probe
// with DF larger than the interface's MTU, which the kernel would refuse.
// A probe with DF that only exceeds the path MTU goes out whole: the
// router on the narrow link answers it (IP_PMTUDISC_PROBE, probeMTUMode).
func (r *pathRun) fragments(pkts [][]byte, k, i int) (out [][]byte, ok bool) {
	pkt, dev, mtu := pkts[k], r.t.localMTU, r.t.localMTU
	if p := r.t.pathMTU; p > 0 && (mtu <= 0 || p < mtu) {
		mtu = p
	}
	switch {
	case r.t.pr.df:
		return pkts[k : k+1], dev <= 0 || len(pkt) <= dev
	case mtu <= 0 || len(pkt) <= mtu:
		return pkts[k : k+1], true
	case r.t.pr.v6:
		r.frags = fragment6(r.frags, pkt, mtu, r.t.pr.fragID+uint32(i))
	default:
		r.frags = fragment4(r.frags, pkt, mtu)
	}
	return r.frags, true
}

// refuse answers probe i, in flight but not sent, as the kernel answers
// traceroute -F's probe larger than the interface's MTU: a local
// EMSGSIZE (!F-MTU) that ends the trace.
func (r *pathRun) refuse(i int, ev Events) {
	a := answer{idx: i, received: time.Now(), res: ProbeResult{Local: true, Type: -1, Code: -1,
		QuotedTTL: -1, QuotedTOS: -1, IPv6: r.t.pr.v6, NextMTU: r.t.localMTU, Final: true}}
	r.sum.Sent++ // sent and answered at once, so that Answered never exceeds Sent
	if res, ok := r.apply(a); ok && ev.Answer != nil {
		ev.Answer(res)
	}
}

// apply records an answer to a probe in flight; answers to other probes
// (late, duplicated, beyond the destination) are dropped.
func (r *pathRun) apply(a answer) (ProbeResult, bool) {
	if a.idx < 0 || a.idx >= len(r.probes) {
		return ProbeResult{}, false
	}
	p := &r.probes[a.idx]
	switch {
	case p.state == probeInFlight:
		r.inflight--
	case p.state == probeDone && !p.res.Answered && p.ttl > r.emitted &&
		!a.received.IsZero() && !a.received.After(p.deadline):
		// Timed out while the answer, which the kernel had in time,
		// was still on its way to this loop; its hop is not reported
		// yet: take it.
	default:
		return ProbeResult{}, false
	}
	if r.t.s.MTU && a.res.TooBig() && a.res.NextMTU >= 68 && a.res.NextMTU < p.size {
		// Fragmentation needed (RFC 1191), packet too big (RFC 8201):
		// send it again, smaller.
		r.size = min(r.size, a.res.NextMTU)
		p.state = probePending
		r.resend = append(r.resend, a.idx)
		return ProbeResult{}, false
	}
	res := a.res
	res.TTL, res.Query, res.Size, res.Answered = p.ttl, p.q, p.size, true
	p.recv = a.received
	if p.recv.IsZero() {
		p.recv = time.Now()
	}
	if p.stamp.IsZero() {
		// Its stamp was queued when it left, before this answer
		// came.
		r.readStamps()
	}
	res.RTT = p.rtt()
	res.MTU = p.markMTU
	p.res, p.state = res, probeDone
	r.sum.Answered++
	if res.Final && p.ttl < r.stopTTL {
		r.stopTTL = p.ttl
	}
	return res, true
}

// synced reports whether every receiver still reading has caught up
// with sync gen.
func (r *pathRun) synced(gen int64) bool {
	for k, rc := range r.recv {
		if r.acked[k] < gen && !rc.stopped.Load() {
			return false
		}
	}
	return true
}

// emit reports every finished hop that follows the last one reported.
func (r *pathRun) emit(hop func(Hop), now time.Time) {
	q := r.t.s.Queries
	for r.emitted < r.stopTTL {
		ttl := r.emitted + 1
		first := (ttl - r.t.s.FirstTTL) * q
		h := Hop{TTL: ttl, Probes: make([]ProbeResult, q)}
		for k := range q {
			p := &r.probes[first+k]
			if p.state != probeDone || r.held(p, now) {
				return
			}
			h.Probes[k] = p.res
			if p.res.Reached {
				r.sum.Reached = true
			}
		}
		r.emitted = ttl
		r.sum.Hops++
		for k := range q {
			if p := &r.probes[first+k]; p.res.Answered && !p.stamp.IsZero() {
				r.sum.SendStamps++
			}
		}
		if hop != nil {
			hop(h)
		}
	}
}
