package echo

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkit/rawkit/internal/sched"
	"github.com/rawkit/rawkit/raw"
)

// optConn is a Conn that sends with per-probe options as control
// messages (Listen's sockets: raw.Conn.WriteToWith).
type optConn interface {
	writeToWith(b []byte, dst netip.Addr, o raw.SendOptions) error
}

// stampConn is a Conn whose reads return the kernel's send stamp of
// every request (icmp.Message.Stamp), keyed by the raw.SendOptions
// StampKey of its write (Listen with SendStamps).
type stampConn interface {
	sendStampKeys() bool
}

// monEvent is an event and the handler it goes to.
type monEvent struct {
	h  func(*Event)
	ev Event
}

// monItem is one probe of a burst: registered, built, not yet written.
type monItem struct {
	f    *flight
	dst  netip.Addr
	sock int
	opt  raw.SendOptions
	with bool      // send with opt
	at   time.Time // when it was scheduled
}

// Run probes the targets until ctx is done, then returns ctx's error;
// or returns earlier the error of a socket read. It may be called once.
// Probes still in flight when it returns end with no event.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.started {
		m.mu.Unlock()
		return errors.New("icmp: Monitor.Run called twice")
	}
	m.started = true
	m.mu.Unlock()
	// Reads run without ctx, as the Engine's do (see Engine.Run): the
	// receivers stop at a read deadline in the past once the sender is
	// done.
	var stopping atomic.Bool
	var wg sync.WaitGroup
	var rerr atomic.Pointer[error]
	for i := range m.socks {
		wg.Add(1)
		go func(si int) {
			defer wg.Done()
			if err := m.receiveLoop(si, &stopping); err != nil {
				rerr.CompareAndSwap(nil, &err)
				m.mu.Lock()
				m.wake()
				m.mu.Unlock()
			}
		}(i)
	}
	failed := func() error {
		if p := rerr.Load(); p != nil {
			return *p
		}
		return nil
	}
	err := m.sendLoop(ctx, failed)
	stopping.Store(true)
	for i := range m.socks {
		m.socks[i].c.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // Close unblocks the reader anyway
	}
	wg.Wait()
	for i := range m.socks {
		m.socks[i].c.SetReadDeadline(time.Time{}) //nolint:errcheck // best effort
	}
	return err
}

// sendLoop sends the probes as they come due and ends them at their
// deadlines, until ctx is done or failed reports a receiver's error.
func (m *Monitor) sendLoop(ctx context.Context, failed func() error) error {
	bufs := make([][]byte, sendBurst)
	items := make([]monItem, 0, sendBurst)
	var jobs []sched.Job[*Probe]
	var evs []monEvent
	timer := m.clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		m.hmu.Lock()
		m.mu.Lock()
		now := m.clock.Now()
		evs = m.expire(evs[:0], now.Add(-m.expireAfter))
		jobs = m.sched.DueJobs(now, jobs[:0])
		m.mu.Unlock()
		m.deliver(evs)
		m.hmu.Unlock()
		for i := 0; i < len(jobs); i += sendBurst {
			m.hmu.Lock()
			m.mu.Lock()
			items, evs = m.register(jobs[i:min(i+sendBurst, len(jobs))], bufs, items[:0], evs[:0], now)
			m.mu.Unlock()
			// The sends' events go out before their writes, so that no
			// reply is reported ahead of its request.
			m.deliver(evs)
			m.hmu.Unlock()
			m.write(items, bufs)
		}
		if err := failed(); err != nil {
			return err
		}
		m.mu.Lock()
		wake, ok := m.sched.Next()
		if at, _, dok := m.deadlines.Peek(); dok && (!ok || at.Add(m.expireAfter).Before(wake)) {
			wake, ok = at.Add(m.expireAfter), true
		}
		m.mu.Unlock()
		if err := m.sleep(ctx, timer, wake, ok); err != nil {
			return err
		}
	}
}

// sleep waits until wake (if ok), a change of schedule or the end of ctx.
func (m *Monitor) sleep(ctx context.Context, timer sched.Timer, wake time.Time, ok bool) error {
	var c <-chan time.Time
	if ok {
		d := wake.Sub(m.clock.Now())
		if d <= 0 {
			return ctx.Err()
		}
		timer.Reset(d)
		c = timer.C()
		defer timer.Stop()
	}
	select {
	case <-c:
	case <-m.kick:
	case <-ctx.Done():
	}
	return ctx.Err()
}

// register enters a flight for each job's next probe and builds the
// requests into bufs; m.mu is held.
func (m *Monitor) register(jobs []sched.Job[*Probe], bufs [][]byte, items []monItem, evs []monEvent, now time.Time) ([]monItem, []monEvent) {
	wall := now.UnixNano()
	for _, j := range jobs {
		p := j.Key
		if p.removed {
			continue
		}
		p.n++
		no := m.nextNo
		m.nextNo++
		fi, f := m.table.alloc(no)
		*f = flight{no: no, p: p, n: p.n, dst: p.addr, sock: p.sock, seq: uint16(p.n), state: slotPending,
			sent: wall, deadline: now.Add(p.timeout)}
		f.h = m.deadlines.Push(f.deadline, fi)
		p.recent[p.n%recentProbes] = fi
		m.stats.Sent++
		m.stats.InFlight++
		s := &m.socks[p.sock]
		i := len(items)
		bufs[i] = buildMonitor(bufs[i], p, s.v6, f.seq, no)
		it := monItem{f: f, dst: p.addr, sock: p.sock, at: j.At}
		if p.tos != 0 || p.source.IsValid() || s.stamps {
			it.with, it.opt = true, raw.SendOptions{TOS: p.tos, Source: p.source}
			if p.tos == 0 {
				it.opt.TOS = -1
			}
			// The stamp's key is the low half of the probe number,
			// which match widens back against nextNo.
			it.opt.Stamp, it.opt.StampKey = s.stamps, uint32(no)
		}
		items = append(items, it)
		if p.handler != nil {
			evs = append(evs, monEvent{h: p.handler, ev: Event{Kind: EventSent, Target: p.id, Dst: p.addr,
				Seq: f.seq, Probe: int(f.n), TTL: -1, Time: time.Unix(0, wall)}})
		}
	}
	return items, evs
}

// write sends a burst, one write per probe, each stamped right before
// its own write so that its round trip does not include the writes
// ahead of it; then it records the lag and the failures.
func (m *Monitor) write(items []monItem, bufs [][]byte) {
	var lag, lagMax time.Duration
	var errs []error // allocated only when a write fails
	for i := range items {
		it := &items[i]
		s := &m.socks[it.sock]
		t := m.clock.Now()
		atomic.StoreInt64(&it.f.sent, t.UnixNano())
		l := max(t.Sub(it.at), 0)
		lag += l
		lagMax = max(lagMax, l)
		var err error
		if it.with {
			err = s.opt.writeToWith(bufs[i], it.dst, it.opt)
		} else {
			_, err = s.c.WriteTo(background, bufs[i], it.dst)
		}
		if err != nil {
			if errs == nil {
				errs = make([]error, len(items))
			}
			errs[i] = err
		}
	}
	m.hmu.Lock()
	m.mu.Lock()
	m.stats.SchedulerLag += lag
	m.stats.SchedulerLagMax = max(m.stats.SchedulerLagMax, lagMax)
	var evs []monEvent
	for i, err := range errs {
		if err == nil {
			continue
		}
		m.stats.SendErrors++
		f := items[i].f
		if f.p.handler != nil && !f.p.removed {
			evs = append(evs, monEvent{h: f.p.handler, ev: Event{Kind: EventSendError, Target: f.p.id,
				Dst: f.dst, Seq: f.seq, Probe: int(f.n), TTL: -1, Time: time.Unix(0, atomic.LoadInt64(&f.sent)), Err: err}})
		}
	}
	m.mu.Unlock()
	m.deliver(evs)
	m.hmu.Unlock()
}

// expire ends the probes whose deadline passed and frees those whose
// time in the table is over; m.mu is held.
func (m *Monitor) expire(evs []monEvent, now time.Time) []monEvent {
	for {
		at, fi, ok := m.deadlines.PopDue(now)
		if !ok {
			return evs
		}
		f := m.table.at(fi)
		if f.retiring {
			m.table.release(fi)
			continue
		}
		if f.state == slotPending {
			evs = m.lose(evs, f, at)
		}
		f.retiring = true
		f.h = m.deadlines.Push(f.deadline.Add(f.p.timeout), fi)
	}
}

func (m *Monitor) deliver(evs []monEvent) {
	for i := range evs {
		evs[i].h(&evs[i].ev)
	}
}
