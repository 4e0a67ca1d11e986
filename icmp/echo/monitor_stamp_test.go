//go:build go1.25

package echo

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/raw"
)

// stampingConn is an icmptest.Conn that sends with send stamps, as a
// socket of Listen with SendStamps does: the stamp of a write, keyed by
// its StampKey, is queued lag after the write's start (the time the
// kernel took the packet), before the answer to it, unless how says
// otherwise for that sequence number.
type stampingConn struct {
	*icmptest.Conn
	t   *testing.T
	lag time.Duration
	how func(seq uint16) stampHow
}

type stampHow int

const (
	stampNormal stampHow = iota
	stampNone            // the stamp never comes
	stampLate            // the stamp comes after the reply
	stampBefore          // a stamp of the key, but before the write began
)

func (c *stampingConn) sendStampKeys() bool { return true }

func (c *stampingConn) writeToWith(b []byte, dst netip.Addr, o raw.SendOptions) error {
	if !o.Stamp || o.TOS != -1 || o.Source.IsValid() {
		c.t.Errorf("write with options %+v, want a stamp key alone", o)
	}
	st := icmp.Message{Stamp: icmp.SendStamp{Valid: true, Key: o.StampKey, Time: time.Now().Add(c.lag)}}
	switch c.how(icmptest.Seq(b)) {
	case stampNormal:
		c.Deliver(st)
	case stampLate:
		time.AfterFunc(2*time.Millisecond, func() { c.Deliver(st) })
	case stampBefore:
		st.Stamp.Time = time.Now().Add(-time.Millisecond)
		c.Deliver(st)
	}
	_, err := c.WriteTo(background, b, dst)
	return err
}

// TestMonitorSendStampFallback: a reply is timed from its request's send
// stamp when the stamp came first; when it never came, came after the
// reply, or is earlier than the write (not the write's), the reply is
// timed from the time taken before the write and counted as a miss.
// Every probe still ends once.
func TestMonitorSendStampFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const after, lag = time.Millisecond, 300 * time.Microsecond
		c := &stampingConn{t: t, lag: lag, how: func(seq uint16) stampHow { return stampHow(seq % 4) }}
		c.Conn = icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			return []icmptest.Delivery{{After: after, Msg: icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 64}}}
		}, nil)
		m := newTestMonitor(t, c)
		if !m.socks[0].stamps {
			t.Fatal("the Monitor does not take the Conn's send stamps")
		}
		rec := newMonRec()
		if _, err := m.Add(MonitorTarget{Addr: target1, Handler: rec.handle}); err != nil {
			t.Fatal(err)
		}
		s := runFor(t, m, 40*time.Second+500*time.Millisecond)
		if s.Sent < 40 || s.Replies+s.InFlight != s.Sent || s.Lost != 0 {
			t.Fatalf("stats %+v", s)
		}
		rec.endedOnce(t, int(s.Replies))
		var stamped, missed uint64
		for _, e := range rec.evs {
			if e.Kind != EventReply {
				continue
			}
			want := after
			if stampHow(e.Seq%4) == stampNormal {
				want = after - lag
				stamped++
			} else {
				missed++
			}
			if e.RTT != want {
				t.Errorf("probe %d (seq %d): round trip %v, want %v", e.Probe, e.Seq, e.RTT, want)
			}
		}
		if s.SendStamped != stamped || s.StampMisses != missed || stamped == 0 || missed == 0 {
			t.Errorf("%d stamped and %d missed replies; stats %+v", stamped, missed, s)
		}
	})
}
