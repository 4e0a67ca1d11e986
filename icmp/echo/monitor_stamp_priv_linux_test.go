//go:build privileged

package echo

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"github.com/rawkit/rawkit/internal/sched"
	"github.com/rawkit/rawkit/raw"
)

// lateClock is the real clock read skew late: a time taken before a
// write is then skew earlier than the write, as on a machine that keeps
// the sender from the kernel that long.
type lateClock struct {
	sched.Clock
	skew time.Duration
}

func (c lateClock) Now() time.Time { return c.Clock.Now().Add(-c.skew) }

// wireTimes returns, by probe number, when a capture saw each of our
// requests and replies.
func wireTimes(pkts []netlab.Packet, tok Token) (req, rep map[uint64]time.Time) {
	req, rep = map[uint64]time.Time{}, map[uint64]time.Time{}
	for _, p := range pkts {
		b := p.Network()
		var msg []byte
		switch {
		case len(b) >= 20 && b[0]>>4 == 4 && b[9] == 1:
			msg = b[int(b[0]&0xf)*4:]
		case len(b) >= 40 && b[0]>>4 == 6 && b[6] == 58:
			msg = b[40:]
		default:
			continue
		}
		if len(msg) < echoHeaderLen+monitorHeaderLen || string(msg[8:16]) != string(tok[:]) {
			continue
		}
		no := binary.BigEndian.Uint64(msg[16:24])
		switch msg[0] {
		case 8, 128:
			req[no] = p.Timestamp
		case 0, 129:
			rep[no] = p.Timestamp
		}
	}
	return req, rep
}

// TestMonitorSendStamps: on raw and ping sockets, IPv4 and IPv6, with
// send stamps on, a Monitor's round trips run from the kernel's send
// stamp: with a clock that reads 20 ms late, a round trip from the time
// taken before the write would be over 20 ms, one from the stamp is the
// loopback's few microseconds, within 100 µs of what a capture on the
// loopback saw. Every probe ends exactly once, and every reply is
// counted as stamped or as a miss.
func TestMonitorSendStamps(t *testing.T) {
	netlabtest.Privileged(t)
	if !raw.PerSendStampKeys() {
		t.Fatal("the kernel gives no per-send stamp keys (SCM_TS_OPT_ID, Linux 6.13)")
	}
	const skew = 20 * time.Millisecond
	for _, mode := range []Mode{ModeRaw, ModePing} {
		for _, v6 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/v6=%v", mode, v6), func(t *testing.T) {
				h := monitorHost(t)
				dst, filter := netip.MustParseAddr("127.0.0.1"), "icmp"
				if v6 {
					dst, filter = netip.MustParseAddr("::1"), "icmp6"
				}
				s := listenIn(t, h, ListenConfig{Mode: mode, IPv6: v6, SendStamps: true})
				if s.Mode != mode || !s.Conn.(*rawConn).stamps {
					t.Fatalf("Listen gave a %v socket, stamps %v", s.Mode, s.Conn.(*rawConn).stamps)
				}
				sn := netlabtest.Sniff(t, h, "lo", filter)
				tok := Token{'s', 't', 'a', 'm', 'p', 1, 2, byte(mode)}
				m, err := NewMonitor([]Socket{*s}, &MonitorConfig{Token: &tok, Clock: lateClock{sched.Real(), skew}})
				if err != nil {
					t.Fatal(err)
				}
				var mu sync.Mutex
				ends := map[int]int{}
				rtts := map[int]time.Duration{}
				handler := func(ev *Event) {
					mu.Lock()
					defer mu.Unlock()
					switch ev.Kind {
					case EventReply, EventLost:
						ends[ev.Probe]++
						if ev.Kind == EventReply {
							rtts[ev.Probe] = ev.RTT
						}
					}
				}
				if _, err := m.Add(MonitorTarget{Addr: dst, Interval: 10 * time.Millisecond, Handler: handler}); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
				defer cancel()
				m.Run(ctx)
				st := m.Stats()
				req, rep := wireTimes(sn.Stop(), tok)
				if st.Sent < 40 || st.Replies+st.InFlight != st.Sent || st.Lost+st.Duplicates+st.LateReplies != 0 {
					t.Fatalf("stats %+v", st)
				}
				if st.SendStamped+st.StampMisses != st.Replies || st.SendStamped == 0 {
					t.Fatalf("%d replies: %d from send stamps, %d misses", st.Replies, st.SendStamped, st.StampMisses)
				}
				var stamped, missed uint64
				for n, c := range ends {
					if c != 1 {
						t.Errorf("probe %d ended %d times", n, c)
					}
				}
				for n, rtt := range rtts {
					switch {
					case rtt >= skew:
						missed++
						continue
					case rtt < 0 || rtt > skew/2:
						t.Errorf("probe %d: round trip %v", n, rtt)
						continue
					}
					stamped++
					// The Monitor numbers probes from 1 in send order, and
					// this is its only target: probe n carries number n.
					q, okq := req[uint64(n)]
					r, okr := rep[uint64(n)]
					if !okq || !okr {
						t.Errorf("probe %d: not on the wire (request %v, reply %v)", n, okq, okr)
						continue
					}
					if d := (rtt - r.Sub(q)).Abs(); d > 100*time.Microsecond {
						t.Errorf("probe %d: round trip %v, %v on the wire", n, rtt, r.Sub(q))
					}
				}
				if stamped != st.SendStamped || missed != st.StampMisses {
					t.Errorf("round trips: %d from stamps, %d over the skew; stats say %d and %d", stamped, missed, st.SendStamped, st.StampMisses)
				}
				t.Logf("%d sent, %d replies: %d from send stamps, %d misses", st.Sent, st.Replies, st.SendStamped, st.StampMisses)
			})
		}
	}
}
