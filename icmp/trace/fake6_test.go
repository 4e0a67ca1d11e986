package trace

import (
	"slices"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"

	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv6"
)

// newFakePath6 is newFakePath over IPv6: routers fd00:0:k::2, the
// destination fd00:0:99::2.
func newFakePath6(t *testing.T, routers int) *fakePath {
	f := newFakePath(t, 0)
	f.v6, f.dst = true, netip.MustParseAddr("fd00:0:99::2")
	for i := range routers {
		f.routers = append(f.routers, netip.AddrFrom16([16]byte{0xfd, 0, 0, 0, 0, byte(i + 1), 15: 2}))
	}
	return f
}

// icmp6Message marshals an ICMPv6 message; the checksum stays zero, as
// the receiving kernel checks it before a socket ever sees the message.
func icmp6Message(t *testing.T, typ ipv6.ICMPType, code int, body xicmp.MessageBody) []byte {
	t.Helper()
	m, err := (&xicmp.Message{Type: typ, Code: code, Body: body}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// deliver6 answers an IPv6 probe as a chain would: time exceeded from
// the router where the hop limit runs out (quoting as much as fits in
// 1280 bytes, RFC 4443 2.4), packet too big from the router before a
// narrower link (IPv6 routers never fragment), and the destination's
// port unreachable, echo reply or RST.
func (f *fakePath) deliver6(p []byte) {
	hlim, size := int(p[7]), len(p)
	f.mu.Lock()
	f.sent++
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.mu.Unlock()
	quote := p[:min(len(p), 1280-48)]
	n := len(f.routers)
	for k := 1; k <= n && k < hlim; k++ {
		if mtu := f.linkMTU[k]; mtu > 0 && size > mtu {
			m := icmp6Message(f.t, ipv6.ICMPTypePacketTooBig, 0, &xicmp.PacketTooBig{MTU: mtu, Data: quote})
			f.answer(k, f.icmp, m, f.routers[k-1])
			return
		}
	}
	var m []byte
	ch, from, hop := f.icmp, f.dst, hlim
	switch {
	case hlim <= n:
		if f.silent[hlim] {
			f.answer(hlim, nil, nil, from)
			return
		}
		q := append([]byte(nil), quote...)
		q[7] = 1 // the hop limit the datagram reached the router with
		m = icmp6Message(f.t, ipv6.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: q})
		from = f.routers[hlim-1]
	default:
		hop = n + 1
		switch p[6] {
		case 17:
			m = icmp6Message(f.t, ipv6.ICMPTypeDestinationUnreachable, 4, &xicmp.DstUnreach{Data: quote})
		case icmp.ProtocolICMPv6:
			m = append([]byte(nil), p[ipv6HeaderLen:]...)
			m[0] = icmp.TypeEchoReplyV6
		case 6:
			m = make([]byte, 20)
			copy(m[0:2], p[42:44])
			copy(m[2:4], p[40:42])
			binary.BigEndian.PutUint32(m[8:], binary.BigEndian.Uint32(p[44:])+1)
			m[13] = 0x12 // SYN, ACK
			ch = f.tcp
		}
	}
	f.answer(hop, ch, m, from)
}

func TestPathEngine6Methods(t *testing.T) {
	for _, m := range []Method{MethodUDP, MethodICMP, MethodTCP} {
		f := newFakePath6(t, 3)
		hops, sum, err := runFake(t, f, &Config{Method: m, HereFactor: -1, NearFactor: -1})
		if err != nil || !sum.Reached || len(hops) != 4 {
			t.Fatalf("%v: %d hops, %+v, %v", m, len(hops), sum, err)
		}
		for i, h := range hops {
			want := f.dst
			if i < 3 {
				want = f.routers[i]
			}
			for _, p := range h.Probes {
				if h.TTL != i+1 || !p.Answered || p.From != want || !p.IPv6 || p.Size != 80 {
					t.Errorf("%v hop %d: %+v, want an IPv6 answer from %v to an 80-byte probe", m, i+1, p, want)
				}
			}
		}
		last := hops[3].Probes[0]
		if !last.Reached || hops[2].Probes[0].QuotedTTL != 1 || hops[2].Probes[0].Type != icmp.TypeTimeExceededV6 {
			t.Errorf("%v: hop 3 %+v, last hop %+v", m, hops[2].Probes[0], last)
		}
	}
}

func TestPathEngine6PacketTooBig(t *testing.T) {
	f := newFakePath6(t, 4)
	f.linkMTU[2] = 1280
	hops, sum, err := runFake(t, f, &Config{MTU: true, HereFactor: -1, NearFactor: -1})
	if err != nil || !sum.Reached || len(hops) != 5 {
		t.Fatalf("%d hops %+v %v", len(hops), sum, err)
	}
	var marks []int
	for _, h := range hops {
		for _, p := range h.Probes {
			if p.MTU != 0 {
				marks = append(marks, h.TTL, p.MTU)
			}
		}
	}
	// The trace starts at the local MTU (1500) and learns 1280 from
	// router 2's packet too big; the first probe at 1280 is hop 3's.
	if !slices.Equal(marks, []int{1, 1500, 3, 1280}) {
		t.Errorf("MTU marks (ttl, mtu) %v, want [1 1500 3 1280]", marks)
	}
	// Without --mtu, packet too big ends the trace at router 2 with its MTU.
	f = newFakePath6(t, 4)
	f.linkMTU[2] = 1280
	hops, sum, err = runFake(t, f, &Config{Length: 1500, HereFactor: -1, NearFactor: -1})
	if err != nil || sum.Reached || len(hops) != 3 {
		t.Fatalf("%d hops %+v %v", len(hops), sum, err)
	}
	p := hops[2].Probes[0]
	if !p.TooBig() || p.NextMTU != 1280 || p.From != f.routers[1] || !p.Final {
		t.Errorf("hop 3 %+v", p)
	}
}

// verified6 decodes an IPv6 probe with gopacket and checks its transport
// checksum over a pseudo-header built here from the decoded addresses.
func verified6(t *testing.T, b []byte) gopacket.Packet {
	t.Helper()
	p := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("decode: %v", el.Error())
	}
	ip := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	if int(ip.Length) != len(b)-40 {
		t.Errorf("payload length %d for a %d-byte packet", ip.Length, len(b))
	}
	var ps [40]byte
	copy(ps[0:16], ip.SrcIP)
	copy(ps[16:32], ip.DstIP)
	binary.BigEndian.PutUint32(ps[32:], uint32(len(b)-40))
	ps[39] = byte(ip.NextHeader)
	if ^checksum.Fold(checksum.Sum(b[40:], checksum.Sum(ps[:], 0))) != 0 {
		t.Errorf("%v checksum does not verify", ip.NextHeader)
	}
	return p
}

func TestProbe6IdentityAndFlow(t *testing.T) {
	for _, c := range []struct {
		m     Method
		paris bool
	}{{MethodUDP, true}, {MethodUDP, false}, {MethodICMP, true}, {MethodICMP, false}, {MethodTCP, true}} {
		pr := &prober{method: c.m, paris: c.paris, v6: true, flow: 0xabcde, tos: 0xb8,
			src: netip.MustParseAddr("fd00:0:0:1::1"), dst: netip.MustParseAddr("fd00:0:0:9::2"),
			sport: 40000, dport: 33434, echoID: 0x1234, seqBase: 0xfffffff0}
		flows := map[[4]byte]bool{}
		for i := range 300 {
			size := 80 + i%7
			if c.m == MethodICMP {
				// The ICMPv6 checksum covers the length (the pseudo-header):
				// constant within a trace, whose probes are one size.
				size = 80
			}
			b := pr.build(nil, i, 1+i%30, size)
			p := verified6(t, b)
			ip := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
			if int(ip.HopLimit) != 1+i%30 || ip.FlowLabel != 0xabcde || ip.TrafficClass != 0xb8 {
				t.Fatalf("probe %d: hop limit %d, flow label %x, traffic class %x", i, ip.HopLimit, ip.FlowLabel, ip.TrafficClass)
			}
			var flow [4]byte
			copy(flow[:], b[40:44])
			flows[flow] = true
			switch c.m {
			case MethodUDP:
				u := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
				if c.paris && int(u.Checksum) != i+1 {
					t.Fatalf("probe %d: UDP checksum %d, want %d", i, u.Checksum, i+1)
				}
			case MethodICMP:
				e := p.Layer(layers.LayerTypeICMPv6).(*layers.ICMPv6)
				if e.TypeCode.Type() != icmp.TypeEchoV6 {
					t.Fatalf("probe %d: ICMPv6 type %d", i, e.TypeCode.Type())
				}
			case MethodTCP:
				tc := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
				if !tc.SYN || tc.Seq != 0xfffffff0+uint32(i) {
					t.Fatalf("probe %d: %+v", i, tc)
				}
			}
			// A router's time exceeded quoting the probe names it.
			m := icmp6Message(t, ipv6.ICMPTypeTimeExceeded, 0, &xicmp.TimeExceeded{Data: b})
			e, err := icmp.ParseError6(m)
			if err != nil {
				t.Fatal(err)
			}
			if idx, ok := pr.quoted(e.Quote); !ok || idx != i {
				t.Fatalf("probe %d: quote matched %d %v", i, idx, ok)
			}
		}
		want := 1
		if !c.paris && c.m != MethodTCP {
			want = 300
		}
		if len(flows) != want {
			t.Errorf("%v paris=%v: %d distinct flow fields over 300 probes, want %d", c.m, c.paris, len(flows), want)
		}
	}
}
