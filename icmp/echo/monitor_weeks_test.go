//go:build go1.25

package echo

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/raw"
)

// TestMonitorWeeks runs the Monitor on the bubble's fake clock through
// the 2^32 boundary of its probe numbers and of a target's own count,
// and through many wraps of every target's 16-bit sequence, with every
// reply also sent again one wrap later (same sequence, older number)
// and forged with the right low 32 bits of the number but not the high
// ones: no stale or forged reply may match, every probe must be
// answered, and every send must go out exactly on its schedule.
//
// The counters start just below 2^32 (an unexported hook, the fields
// themselves): sending 2^32 probes for real would take hours, the 2^16
// wraps are crossed for real.
func TestMonitorWeeks(t *testing.T) {
	const (
		interval = time.Millisecond
		start    = 1<<32 - 1<<17
	)
	// 3 wraps of each of 4 targets' sequence, 786,432 probes (15 s on a
	// busy 2-core machine); 2 wraps of 2 under the race detector.
	targets, wraps := 4, 3
	if raceEnabled || testing.Short() {
		targets, wraps = 2, 2
	}
	probes := int64(wraps)<<16 + 100 // per target
	synctest.Test(t, func(t *testing.T) {
		c := &weeksConn{Conn: icmptest.NewConn(nil, &icmptest.Config{Unrecorded: true}), old: map[[2]uint32][]byte{}}
		m := newTestMonitor(t, c)
		m.nextNo = start
		// All targets in one phase: one wake-up of the sender, one burst
		// of writes and one batch read a millisecond, which keeps the
		// test fast; spreading is TestMonitorSpread's.
		m.sched.Hash = func(*Probe) uint64 { return 0 }
		type last struct {
			at    time.Time
			probe int
			seq   uint16
		}
		var lmu sync.Mutex
		lasts := make([]last, targets+1)
		replies := make([]int64, targets+1)
		for i := 1; i <= targets; i++ {
			p, err := m.Add(MonitorTarget{Addr: netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}), Interval: interval,
				Timeout: 10 * time.Millisecond, Handler: func(e *Event) {
					lmu.Lock()
					defer lmu.Unlock()
					switch e.Kind {
					case EventSent:
						l := &lasts[e.Target]
						if !l.at.IsZero() && (e.Time.Sub(l.at) != interval || e.Probe != l.probe+1 || e.Seq != l.seq+1) {
							t.Errorf("target %d: probe %d seq %d at +%v after probe %d seq %d", e.Target, e.Probe, e.Seq, e.Time.Sub(l.at), l.probe, l.seq)
						}
						*l = last{e.Time, e.Probe, e.Seq}
					case EventReply:
						// 300 µs after the write, 100 µs after its send stamp.
						if e.Late || e.RTT != 200*time.Microsecond || e.Probe != lasts[e.Target].probe {
							t.Errorf("target %d: reply %+v to probe %d", e.Target, e, lasts[e.Target].probe)
						}
						replies[e.Target]++
					default:
						t.Errorf("target %d: %v event %+v", e.Target, e.Kind, e)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			p.n = start
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(probes)*interval)
		defer cancel()
		m.Run(ctx)
		s := m.Stats()
		if s.Sent < uint64(targets)*uint64(probes-1) || s.Replies+s.InFlight != s.Sent || s.Lost+s.Duplicates+s.LateReplies+s.Errors != 0 {
			t.Errorf("stats %+v", s)
		}
		if s.SendStamped != s.Replies || s.StampMisses != 0 {
			t.Errorf("send stamps: %+v", s)
		}
		if s.SchedulerLagMax != 0 || s.Skipped != 0 {
			t.Errorf("sends off schedule: %+v", s)
		}
		if m.nextNo <= 1<<32 || lasts[1].probe <= 1<<32 {
			t.Errorf("the run ended at probe number %d, target count %d: not past 2^32", m.nextNo, lasts[1].probe)
		}
		t.Logf("%d probes, %d sequence wraps per target, probe numbers %d..%d", s.Sent, probes>>16, uint64(start), m.nextNo-1)
	})
}

// weeksConn answers every request at once, stamped 300 µs after its
// write, with the reply, a forgery (number's high 32 bits changed) and
// the reply last sent with the same target and sequence, one wrap
// before: queued straight into the icmptest.Conn rather than through a
// Script's timers, which would cost a timer per message over millions.
// It sends with send stamps, 100 µs after the write, keyed by the low
// 32 bits of the probe number as the kernel keys them (SCM_TS_OPT_ID),
// ahead of each a stamp of a key no probe in flight has.
type weeksConn struct {
	*icmptest.Conn
	old map[[2]uint32][]byte // target address byte, sequence -> the last reply sent with it
}

func (c *weeksConn) sendStampKeys() bool { return true }

func (c *weeksConn) writeToWith(b []byte, dst netip.Addr, o raw.SendOptions) error {
	if !o.Stamp {
		return errors.New("weeksConn: a write without a stamp key")
	}
	at := time.Now().Add(100 * time.Microsecond)
	c.Deliver(icmp.Message{Stamp: icmp.SendStamp{Valid: true, Key: o.StampKey + 1<<31, Time: at}})
	c.Deliver(icmp.Message{Stamp: icmp.SendStamp{Valid: true, Key: o.StampKey, Time: at}})
	_, err := c.WriteTo(background, b, dst)
	return err
}

func (c *weeksConn) WriteTo(ctx context.Context, b []byte, dst netip.Addr) (int, error) {
	if _, err := c.Conn.WriteTo(ctx, b, dst); err != nil {
		return 0, err
	}
	at := time.Now().Add(300 * time.Microsecond)
	r := icmptest.EchoReply(b)
	c.Deliver(icmp.Message{Data: r, Src: dst, TTL: 64, Received: at})
	forged := append([]byte(nil), b...)
	no := forged[echoHeaderLen+tokenLen:]
	binary.BigEndian.PutUint64(no, binary.BigEndian.Uint64(no)^1<<32)
	c.Deliver(icmp.Message{Data: icmptest.EchoReply(forged), Src: dst, TTL: 64, Received: at})
	k := [2]uint32{uint32(dst.As4()[3]), uint32(icmptest.Seq(b))}
	if o := c.old[k]; o != nil {
		c.Deliver(icmp.Message{Data: o, Src: dst, TTL: 64, Received: at})
	}
	c.old[k] = r
	return len(b), nil
}
