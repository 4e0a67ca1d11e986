package trace

import (
	"context"
	"encoding/binary"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/internal/checksum"
)

// natSender is the fake chain's probe socket behind a NAT at router
// natHop that does not restore the quotes of the errors it forwards
// back: past it, probes carry source natSrc and, for UDP and TCP,
// source port natPort, with the transport checksum adjusted as a NAT
// adjusts it; tos, when not negative, is rewritten there too.
func natSender(f *fakePath, natHop int, natSrc netip.Addr, natPort uint16, tos int) *icmptest.Conn {
	return icmptest.NewConn(func(p []byte, _ netip.Addr) []icmptest.Delivery {
		q := append([]byte(nil), p...)
		// The NAT translates the destination's TCP answer back, as any
		// NAT does; only the quotes leak.
		tcpToDst := q[9] == 6 && int(q[8]) > len(f.routers)
		if int(q[8]) > natHop && !tcpToDst {
			rewrite(q, natSrc, natPort, tos)
		}
		f.deliver(q)
		return nil
	}, nil)
}

func rewrite(q []byte, src netip.Addr, port uint16, tos int) {
	if tos >= 0 {
		q[1] = byte(tos)
	}
	if src.IsValid() {
		a := src.As4()
		copy(q[12:16], a[:])
		t := q[ipHeaderLen:]
		switch q[9] {
		case 17:
			binary.BigEndian.PutUint16(t[0:], port)
			binary.BigEndian.PutUint16(t[6:], 0)
			binary.BigEndian.PutUint16(t[6:], ^checksum.Fold(checksum.Sum(t, checksum.Pseudo(src,
				netip.AddrFrom4([4]byte(q[16:20])), 17, len(t)))))
		case 6:
			binary.BigEndian.PutUint16(t[0:], port)
		}
	}
	binary.BigEndian.PutUint16(q[10:], 0)
	binary.BigEndian.PutUint16(q[10:], checksum.Checksum(q[:ipHeaderLen]))
}

// TestMonitorNATAndTOS: a leaky NAT behind router 2 rewrites the source
// address and port; a router there also rewrites the TOS. The probes
// still match (the Paris UDP checksum's identity recovered, the ICMP
// and TCP sequence numbers kept), and hop 3, the first whose quote shows
// the rewrites, is flagged NAT and TOS, and no other.
func TestMonitorNATAndTOS(t *testing.T) {
	for _, meth := range []Method{MethodUDP, MethodICMP, MethodTCP} {
		t.Run(meth.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFakePath(t, 4)
				m := fakeMonitor(t, f, &MonitorConfig{Config: Config{Method: meth}, Count: 3})
				m.path.send = natSender(f, 2, netip.MustParseAddr("192.0.2.7"), 50123, 0x28)
				snap, err := m.Run(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(snap.Hops) != 5 || !snap.Reached {
					t.Fatalf("hops %d, reached %v", len(snap.Hops), snap.Reached)
				}
				for _, h := range snap.Hops {
					if h.Lost != 0 || h.Sent != 3 {
						t.Errorf("hop %d: sent %d lost %d", h.TTL, h.Sent, h.Lost)
					}
					if h.NAT != (h.TTL == 3) || h.TOSChanged != (h.TTL == 3) {
						t.Errorf("hop %d: nat %v tos changed %v (quoted %#x)", h.TTL, h.NAT, h.TOSChanged, h.QuotedTOS)
					}
				}
			})
		})
	}
}
