//go:build privileged && linux

package trace_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestPathSendStamps traces a 3-router chain with one probe a hop, for
// every method over IPv4 and IPv6, and checks that every round trip ran
// from the kernel's send stamp and agrees with the capture on the
// client's link: the probe leaving and its answer arriving, both as the
// kernel saw them there.
func TestPathSendStamps(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	const maxTTL = 4 // the server is hop 4: no probe goes beyond it
	for _, fam := range []struct {
		name string
		dst  netip.Addr
		hop  func(int) netip.Addr
	}{
		{"ipv4", c.Server.Addr(), c.Hop},
		{"ipv6", c.Server.Addr6(), c.Hop6},
	} {
		for _, m := range []trace.Method{trace.MethodUDP, trace.MethodICMP, trace.MethodTCP} {
			t.Run(fam.name+"/"+m.String(), func(t *testing.T) {
				s := netlabtest.Sniff(t, c.Client, "eth0", "")
				var hops []trace.Hop
				var sum trace.Summary
				err := c.Client.Do(func() error {
					p, err := trace.New(fam.dst, &trace.Config{Method: m, MaxTTL: maxTTL, Queries: 1})
					if err != nil {
						return err
					}
					defer p.Close()
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					sum, err = p.Run(ctx, trace.Events{Hop: func(h trace.Hop) { hops = append(hops, h) }})
					return err
				})
				pkts := s.Stop()
				if err != nil || !sum.Reached || len(hops) != maxTTL {
					t.Fatalf("%d hops, %+v, %v", len(hops), sum, err)
				}
				if sum.SendStamps != sum.Answered || sum.Answered != maxTTL {
					t.Errorf("%d of %d answers timed from send stamps, want all %d", sum.SendStamps, sum.Answered, maxTTL)
				}
				sent, answered := wireTimes(pkts, fam.dst, fam.hop, maxTTL)
				for _, h := range hops {
					pr := h.Probes[0]
					if !pr.Answered || pr.From != fam.hop(h.TTL) {
						t.Errorf("hop %d: %+v, want an answer from %v", h.TTL, pr, fam.hop(h.TTL))
						continue
					}
					if sent[h.TTL].IsZero() || answered[h.TTL].IsZero() {
						t.Errorf("hop %d: capture has no probe (%v) or no answer (%v)", h.TTL, sent[h.TTL], answered[h.TTL])
						continue
					}
					// Both ends are the kernel's times of the same
					// events the capture saw: they differ by the few
					// instructions between the capture tap and the
					// stamp, not by a system call.
					wire := answered[h.TTL].Sub(sent[h.TTL])
					if d := pr.RTT - wire; pr.RTT <= 0 || d < -200*time.Microsecond || d > 200*time.Microsecond {
						t.Errorf("hop %d: RTT %v, the capture's %v", h.TTL, pr.RTT, wire)
					}
				}
			})
		}
	}
}

// wireTimes finds in a capture the time each TTL's probe left (by its
// TTL or hop limit, toward dst) and the time its answer came in (by its
// source, hop(ttl)).
func wireTimes(pkts []netlab.Packet, dst netip.Addr, hop func(int) netip.Addr, maxTTL int) (sent, answered []time.Time) {
	sent, answered = make([]time.Time, maxTTL+1), make([]time.Time, maxTTL+1)
	for _, p := range pkts {
		b := p.Network()
		var src, to netip.Addr
		var ttl int
		switch {
		case len(b) >= 20 && b[0]>>4 == 4:
			src, to, ttl = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20])), int(b[8])
		case len(b) >= 40 && b[0]>>4 == 6:
			src, to, ttl = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40])), int(b[7])
		default:
			continue
		}
		if to == dst && ttl >= 1 && ttl <= maxTTL && sent[ttl].IsZero() {
			sent[ttl] = p.Timestamp
		}
		for k := 1; k <= maxTTL; k++ {
			if src == hop(k) && answered[k].IsZero() {
				answered[k] = p.Timestamp
			}
		}
	}
	return sent, answered
}
