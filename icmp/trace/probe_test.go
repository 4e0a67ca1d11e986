package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"

	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

func testProber(m Method, paris bool) *prober {
	return &prober{method: m, paris: paris, src: netip.MustParseAddr("10.0.1.1"), dst: netip.MustParseAddr("10.0.9.2"),
		sport: 40000, dport: 33434, echoID: 0x1234, seqBase: 0xfffffff0, ipID: 7, df: true}
}

// verified decodes a probe with gopacket and reports whether every
// checksum verifies, independently of the code under test.
func verified(t *testing.T, b []byte) gopacket.Packet {
	t.Helper()
	p := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("decode: %v", el.Error())
	}
	ip := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if checksum.Checksum(b[:ipHeaderLen]) != 0 {
		t.Errorf("IP checksum does not verify")
	}
	if ip.Flags != layers.IPv4DontFragment {
		t.Errorf("flags %v, want DF", ip.Flags)
	}
	l4 := b[ipHeaderLen:]
	switch ip.Protocol {
	case layers.IPProtocolICMPv4:
		if checksum.Checksum(l4) != 0 {
			t.Errorf("ICMP checksum does not verify")
		}
	default:
		var ps [12]byte
		copy(ps[0:4], ip.SrcIP.To4())
		copy(ps[4:8], ip.DstIP.To4())
		ps[9] = byte(ip.Protocol)
		binary.BigEndian.PutUint16(ps[10:], uint16(len(l4)))
		if ^checksum.Fold(checksum.Sum(l4, checksum.Sum(ps[:], 0))) != 0 {
			t.Errorf("%v checksum does not verify", ip.Protocol)
		}
	}
	return p
}

func TestProbeIdentityAndFlow(t *testing.T) {
	for _, c := range []struct {
		m     Method
		paris bool
	}{{MethodUDP, true}, {MethodUDP, false}, {MethodICMP, true}, {MethodICMP, false}, {MethodTCP, true}} {
		pr := testProber(c.m, c.paris)
		flows := map[[4]byte]bool{}
		for i := range 300 {
			size := 60 + i%7
			if c.m == MethodTCP {
				size = 60
			}
			b := pr.build(nil, i, 1+i%30, size)
			p := verified(t, b)
			var flow [4]byte
			copy(flow[:], b[ipHeaderLen:ipHeaderLen+4]) // ports, or ICMP type, code and checksum
			flows[flow] = true
			if got := int(b[8]); got != 1+i%30 {
				t.Fatalf("TTL %d", got)
			}
			switch c.m {
			case MethodUDP:
				u := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
				if c.paris && int(u.Checksum) != i+1 {
					t.Fatalf("probe %d: UDP checksum %d, want %d", i, u.Checksum, i+1)
				}
				if !c.paris && int(u.DstPort) != 33434+i {
					t.Fatalf("probe %d: classic port %d", i, u.DstPort)
				}
			case MethodICMP:
				e := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
				if e.Id != 0x1234 || int(e.Seq) != i+1 {
					t.Fatalf("probe %d: id %x seq %d", i, e.Id, e.Seq)
				}
			case MethodTCP:
				tc := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
				if !tc.SYN || tc.ACK || tc.Seq != 0xfffffff0+uint32(i) || len(tc.Options) != 5 {
					t.Fatalf("probe %d: %+v", i, tc)
				}
			}
			// The probe's identity survives a router's quote.
			idx, ok := pr.quoted(quoteOf(t, b))
			if !ok || idx != i {
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

// quoteOf wraps a probe in a time exceeded as a router would (header and
// 8 bytes) and parses it back with icmp.ParseError.
func quoteOf(t *testing.T, probe []byte) icmp.Quote {
	t.Helper()
	m := timeExceeded(t, probe[:ipHeaderLen+8], nil)
	e, err := icmp.ParseError(m)
	if err != nil {
		t.Fatal(err)
	}
	return e.Quote
}

func timeExceeded(t *testing.T, quote []byte, exts []xicmp.Extension) []byte {
	t.Helper()
	m, err := (&xicmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &xicmp.TimeExceeded{Data: quote, Extensions: exts}}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPathAnswers(t *testing.T) {
	router := netip.MustParseAddr("10.0.3.2")
	pr := testProber(MethodUDP, true)
	probe := pr.build(nil, 41, 4, 60)
	mpls := &xicmp.MPLSLabelStack{Class: 1, Type: 1, Labels: []xicmp.MPLSLabel{{Label: 100, TC: 0, S: true, TTL: 1}}}
	// RFC 4884: the quote is padded to 128 bytes before the extensions.
	m := timeExceeded(t, probe, []xicmp.Extension{mpls})
	a, ok := pr.icmpAnswer(m, router)
	if !ok || a.idx != 41 || a.res.Type != icmp.TypeTimeExceeded || a.res.QuotedTTL != 4 || a.res.Reached || a.res.Final {
		t.Fatalf("time exceeded: %+v %v", a, ok)
	}
	if len(a.res.Extensions) != 1 {
		t.Fatalf("extensions %v", a.res.Extensions)
	}
	if st, ok := a.res.Extensions[0].(*xicmp.MPLSLabelStack); !ok || st.Labels[0].Label != 100 || !st.Labels[0].S {
		t.Errorf("MPLS %+v", a.res.Extensions[0])
	}
	// Another trace's probe (other source port) is not ours.
	other := *pr
	other.sport++
	if _, ok := pr.icmpAnswer(timeExceeded(t, other.build(nil, 41, 4, 60), nil), router); ok {
		t.Error("matched another trace's probe")
	}
	// Port unreachable from the destination ends the trace there.
	pu, _ := (&xicmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 3, Body: &xicmp.DstUnreach{Data: probe}}).Marshal(nil)
	if a, ok := pr.icmpAnswer(pu, pr.dst); !ok || !a.res.Reached || !a.res.Final {
		t.Errorf("port unreachable: %+v %v", a, ok)
	}
	// An echo reply for an ICMP trace; ping's replies (other id) are not.
	ip := testProber(MethodICMP, true)
	reply, _ := (&xicmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &xicmp.Echo{ID: 0x1234, Seq: 9}}).Marshal(nil)
	if a, ok := ip.icmpAnswer(reply, ip.dst); !ok || a.idx != 8 || !a.res.Reached {
		t.Errorf("echo reply: %+v %v", a, ok)
	}
	reply[5]++ // id 0x1235
	if _, ok := ip.icmpAnswer(reply, ip.dst); ok {
		t.Error("matched another process's echo reply")
	}
	// A SYN-ACK and a RST acknowledge seq+1.
	tp := testProber(MethodTCP, true)
	for _, flags := range []byte{0x12, 0x14} {
		seg := make([]byte, 20)
		binary.BigEndian.PutUint16(seg[0:], tp.dport)
		binary.BigEndian.PutUint16(seg[2:], tp.sport)
		binary.BigEndian.PutUint32(seg[8:], tp.seqBase+5+1)
		seg[13] = flags
		if a, ok := tp.tcpAnswer(seg, tp.dst); !ok || a.idx != 5 || !a.res.Reached {
			t.Errorf("flags %#x: %+v %v", flags, a, ok)
		}
	}
	// Probes with 1440 bytes of data (traceroute -T HOST 1500): a closed
	// port's RST acknowledges them with the SYN, seq+1+1440, as Linux
	// answers; a SYN-ACK acknowledges the SYN alone.
	tp.tcpData, tp.probes = 1440, 90
	for _, tc := range []struct {
		flags byte
		ack   uint32
	}{{0x14, tp.seqBase + 5 + 1 + 1440}, {0x12, tp.seqBase + 5 + 1}, {0x14, tp.seqBase + 5 + 1}} {
		seg := make([]byte, 20)
		binary.BigEndian.PutUint16(seg[0:], tp.dport)
		binary.BigEndian.PutUint16(seg[2:], tp.sport)
		binary.BigEndian.PutUint32(seg[8:], tc.ack)
		seg[13] = tc.flags
		if a, ok := tp.tcpAnswer(seg, tp.dst); !ok || a.idx != 5 || !a.res.Reached {
			t.Errorf("1440 data bytes, flags %#x ack seq+%d: %+v %v", tc.flags, tc.ack-tp.seqBase-5, a, ok)
		}
	}
}

func TestPathConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{FirstTTL: 5, MaxTTL: 4}, {MaxTTL: 256}, {Queries: 11}, {Port: 70000}, {Method: 9},
		{Length: 20}, {Method: MethodTCP, Length: 59}, {TOS: 256}, {Simultaneous: -1},
	} {
		if _, err := c.settings(false); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	s, err := (*Config)(nil).settings(false)
	if err != nil || s.MaxTTL != 30 || s.Queries != 3 || s.Port != 33434 || s.Length != 60 || s.Wait != DefaultWait {
		t.Errorf("defaults %+v %v", s, err)
	}
}
