//go:build privileged

package raw

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestSendStampsThroughReads: a Config.SendStamps socket (a ping socket
// with RecvErr across a chain, raw ICMP sockets of both families on a
// loopback) sends requests whose stamp keys cross 2^32, and one to an
// address behind the chain with no host. Its batch reads return a stamp
// for each request, keyed as its write said and taken during that
// write, every stamp ahead of the answer to its request, the replies,
// and on the ping socket the ICMP error too: one reader for both kinds
// of error queue entry.
func TestSendStampsThroughReads(t *testing.T) {
	netlabtest.Privileged(t)
	if !PerSendStampKeys() {
		t.Fatal("no per-send stamp keys on this kernel (SCM_TS_OPT_ID, Linux 6.13)")
	}
	ch := netlabtest.NewChain(t, 1)
	if err := ch.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	lo := netlabtest.NewHost(t)
	cases := []struct {
		name      string
		open      func() (*Conn, error)
		dst, dead netip.Addr
		req       byte
	}{
		{"ping4", func() (*Conn, error) { return ListenPing(&Config{RecvErr: true, SendStamps: true, Timestamps: true}) },
			ch.Server.Addr(), ch.Unreachable(), 8},
		{"raw4", func() (*Conn, error) { return ListenIPv4(1, &Config{SendStamps: true, Timestamps: true}) },
			netip.MustParseAddr("127.0.0.1"), netip.Addr{}, 8},
		{"raw6", func() (*Conn, error) { return ListenIPv6(58, &Config{SendStamps: true, Timestamps: true}) },
			netip.MustParseAddr("::1"), netip.Addr{}, 128},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := lo
			if tc.dead.IsValid() {
				h = ch.Client
			}
			c := openIn(t, h, tc.open)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			keys := []uint32{0xfffffffe, 0xffffffff, 0, 1}
			type span struct{ from, to time.Time }
			writes := map[uint32]span{}
			for i, k := range keys {
				dst := tc.dst
				if i == 3 && tc.dead.IsValid() {
					dst = tc.dead
				}
				b := pingRequest(uint16(i))
				b[0] = tc.req
				if tc.req == 8 && !c.ping {
					b[2], b[3] = 0, 0
					cs := inetChecksum(b)
					b[2], b[3] = byte(cs>>8), byte(cs)
				}
				from := time.Now()
				if _, err := c.WriteToWith(ctx, b, dst, SendOptions{TOS: -1, Stamp: true, StampKey: k}); err != nil {
					t.Fatal(err)
				}
				writes[k] = span{from, time.Now()}
			}
			wantReplies, wantErrs := 4, 0
			if tc.dead.IsValid() {
				wantReplies, wantErrs = 3, 1
			}
			ms := make([]Message, 8)
			for i := range ms {
				ms[i].Buf = make([]byte, 1500)
			}
			stamped := map[uint32]bool{}
			var replies, errs int
			var log []string
			for replies < wantReplies || errs < wantErrs || len(stamped) < len(keys) {
				n, err := c.ReadBatch(ctx, ms)
				if err != nil {
					t.Fatalf("ReadBatch: %v (read so far: %v)", err, log)
				}
				for _, m := range ms[:n] {
					d := m.Data
					if !c.ping && !c.v6 && len(d) >= 1 && d[0] == 8 || c.v6 && len(d) >= 1 && d[0] == 128 {
						continue // a raw socket reads its own requests on the loopback
					}
					switch e := m.ExtErr; {
					case e.Origin == ErrOriginTimestamping:
						w, ok := writes[e.Key]
						if !ok || stamped[e.Key] || e.Stamp.Before(w.from) || e.Stamp.After(w.to) || len(d) != 0 {
							t.Errorf("stamp key %#x at %v, %d bytes: want one per write, within it (%+v)", e.Key, e.Stamp, len(d), w)
						}
						stamped[e.Key] = true
						log = append(log, fmt.Sprintf("stamp %#x", e.Key))
					case e.Origin == ErrOriginICMP && e.Type == 3:
						errs++
						log = append(log, "error")
					case e.Origin == ErrOriginNone && len(d) >= 8 && (d[0] == 0 || d[0] == 129):
						seq := int(d[6])<<8 | int(d[7])
						if !stamped[keys[seq]] {
							t.Errorf("reply to request %d read before its stamp", seq)
						}
						if m.Received.IsZero() {
							t.Errorf("reply %d without its receive time", seq)
						}
						replies++
						log = append(log, fmt.Sprintf("reply %d", seq))
					default:
						t.Errorf("unexpected message %+v", m)
					}
				}
			}
			if replies != wantReplies || errs != wantErrs {
				t.Errorf("%d replies and %d errors, want %d and %d: %v", replies, errs, wantReplies, wantErrs, log)
			}
			t.Log(log)
		})
	}
}
