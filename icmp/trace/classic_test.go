package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv6"
)

// classicTCP is a classic TCP prober of 300 probes, each with its own
// source port, for either family.
func classicTCP(v6 bool) *prober {
	p := testProber(MethodTCP, false)
	p.dport = 443
	if v6 {
		p.v6, p.flow = true, 0xabcde
		p.src, p.dst = netip.MustParseAddr("fd00:0:0:1::1"), netip.MustParseAddr("fd00:0:0:9::2")
	}
	for i := range 300 {
		p.sports = append(p.sports, uint16(50000+7*i)) // not contiguous: the kernel's picks are not
	}
	return p
}

// TestClassicTCPProbes: each probe comes from its own source port, to the
// destination port asked for; the time exceeded quoting it, and the
// destination's SYN-ACK or RST to it, name it; a quote or a segment with
// another probe's port is not an answer.
func TestClassicTCPProbes(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		pr := classicTCP(v6)
		srcs := map[uint16]bool{}
		for i := range 300 {
			b := pr.build(nil, i, 1+i%30, 60+20*btoi(v6))
			var tc *layers.TCP
			if v6 {
				tc = verified6(t, b).Layer(layers.LayerTypeTCP).(*layers.TCP)
			} else {
				tc = verified(t, b).Layer(layers.LayerTypeTCP).(*layers.TCP)
			}
			quote := quoteFor(t, v6, b)
			if int(tc.SrcPort) != 50000+7*i || tc.DstPort != 443 || !tc.SYN || tc.Seq != pr.seqBase+uint32(i) {
				t.Fatalf("v6=%v probe %d: ports %d>%d seq %#x", v6, i, tc.SrcPort, tc.DstPort, tc.Seq)
			}
			srcs[uint16(tc.SrcPort)] = true
			if idx, ok := pr.quoted(quote); !ok || idx != i {
				t.Fatalf("v6=%v probe %d: quote matched %d %v", v6, i, idx, ok)
			}
			for _, flags := range []byte{0x12, 0x14} { // SYN-ACK, RST-ACK
				if a, ok := pr.tcpAnswer(tcpSegment(443, pr.sports[i], pr.seqBase+uint32(i)+1, flags), pr.dst); !ok || a.idx != i || !a.res.Reached {
					t.Fatalf("v6=%v probe %d flags %#x: %+v %v", v6, i, flags, a, ok)
				}
			}
		}
		if len(srcs) != 300 {
			t.Errorf("v6=%v: %d source ports over 300 probes, want 300", v6, len(srcs))
		}
		// The answer to probe 5 sent to probe 6's port, or acknowledging
		// a sequence number no probe had, is not one of ours.
		if _, ok := pr.tcpAnswer(tcpSegment(443, pr.sports[6], pr.seqBase+5+1, 0x12), pr.dst); ok {
			t.Errorf("v6=%v: matched a SYN-ACK at another probe's port", v6)
		}
		if _, ok := pr.tcpAnswer(tcpSegment(443, pr.sports[0], pr.seqBase+300+1, 0x12), pr.dst); ok {
			t.Errorf("v6=%v: matched a SYN-ACK beyond the last probe", v6)
		}
		b := pr.build(nil, 5, 3, 60+20*btoi(v6))
		binary.BigEndian.PutUint16(b[20+20*btoi(v6):], pr.sports[6])
		if _, ok := pr.quoted(quoteFor(t, v6, b)); ok {
			t.Errorf("v6=%v: matched a quote of probe 5 from probe 6's port", v6)
		}
	}
}

// quoteFor wraps a probe in a router's time exceeded and parses the
// quote back.
func quoteFor(t *testing.T, v6 bool, probe []byte) icmp.Quote {
	t.Helper()
	if !v6 {
		return quoteOf(t, probe)
	}
	e, err := icmp.ParseError6(icmp6Message(t, ipv6.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: probe}))
	if err != nil {
		t.Fatal(err)
	}
	return e.Quote
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tcpSegment(sport, dport uint16, ack uint32, flags byte) []byte {
	seg := make([]byte, 20)
	binary.BigEndian.PutUint16(seg[0:], sport)
	binary.BigEndian.PutUint16(seg[2:], dport)
	binary.BigEndian.PutUint32(seg[8:], ack)
	seg[12], seg[13] = 5<<4, flags
	return seg
}
