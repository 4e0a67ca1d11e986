//go:build privileged

package echo

import (
	"context"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// stampLog is the engine's socket with a log of the kernel receive stamp
// of every echo reply read from it, by sequence number: what the engine
// must report as the reply's time.
type stampLog struct {
	*rawConn
	stamps map[uint16]time.Time
	zero   int // replies read without a kernel stamp
}

func (s *stampLog) note(m *icmp.Message) {
	if d := m.Data; len(d) >= echoHeaderLen && d[0] == icmp.TypeEchoReply {
		if m.Received.IsZero() {
			s.zero++
		}
		s.stamps[binary.BigEndian.Uint16(d[6:])] = m.Received
	}
}

func (s *stampLog) recv(m *icmp.Message) (bool, error) {
	ok, err := s.rawConn.recv(m)
	if ok && m.Data != nil {
		s.note(m)
	}
	return ok, err
}

func (s *stampLog) ReadBatch(ctx context.Context, ms []icmp.Message) (int, error) {
	n, err := s.rawConn.ReadBatch(ctx, ms)
	for i := range n {
		s.note(&ms[i])
	}
	return n, err
}

// TestFloodLoopbackCountsAndKernelStamps: a flood of 20,000 echoes to
// 127.0.0.1 on the socket Listen opens, where the fast path does every
// send and read, counts every reply exactly once and loses none, and
// every reply's time is the kernel's receive stamp of the packet
// (SO_TIMESTAMPNS), not a clock read, and its round trip that stamp less
// a send time taken no earlier than the request's EventSent (the write
// takes its own).
func TestFloodLoopbackCountsAndKernelStamps(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	var s *Socket
	if err := h.Do(func() (err error) {
		s, err = Listen(&ListenConfig{Mode: ModeRaw})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer s.Conn.Close()
	log := &stampLog{rawConn: s.Conn.(*rawConn), stamps: map[uint16]time.Time{}}
	const n = 20000
	sent := map[uint16]time.Time{}
	var replies, others int
	var bad []string
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	e, err := New(log, s.ID, []netip.Addr{lo}, &Config{Flood: true, Count: n, Linger: true, Timeout: 5 * time.Second,
		Handler: func(ev *Event) {
			switch ev.Kind {
			case EventSent:
				sent[ev.Seq] = ev.Time
			case EventReply:
				replies++
				st := log.stamps[ev.Seq]
				if (!ev.Time.Equal(st) || ev.RTT <= 0 || ev.RTT > st.Sub(sent[ev.Seq])) && len(bad) < 5 {
					bad = append(bad, ev.Time.String()+" rtt "+ev.RTT.String()+" stamp "+st.String())
				}
			default:
				others++
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Transmitted != n || st.Received != n || st.Duplicates != 0 || st.Lost != 0 || replies != n || others != 0 {
		t.Errorf("stats %+v, %d reply events, %d others; want %d sent and answered once", st, replies, others, n)
	}
	if log.zero != 0 || len(bad) != 0 {
		t.Errorf("%d replies without a kernel stamp; reply times not the stamp: %v", log.zero, bad)
	}
}
