package icmp_test

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"

	"encoding/binary"
	"encoding/hex"
	"fmt"
	"testing"
)

func TestParseError6TimeExceededUDP(t *testing.T) {
	udp := []byte{0x9c, 0x40, 0x82, 0x9a, 0, 32, 0x00, 0x07} // 40000 > 33434, checksum 7
	m := icmptest.Error6(icmp.TypeTimeExceededV6, 0, 0, self6, target6, 17, udp)
	e, err := icmp.ParseError6(m)
	if err != nil {
		t.Fatal(err)
	}
	q := e.Quote
	if !e.IPv6 || e.Type != 3 || e.Code != 0 || q.Src != self6 || q.Dst != target6 || q.Protocol != 17 ||
		q.TTL != 1 || q.ID != -1 || q.FlowLabel != 0x12345 || q.Length != 48 {
		t.Fatalf("parsed %+v", e)
	}
	if s, d, ok := q.Ports(); !ok || s != 40000 || d != 33434 {
		t.Errorf("ports %d %d %v", s, d, ok)
	}
	if c, ok := q.UDPChecksum(); !ok || c != 7 {
		t.Errorf("checksum %d %v", c, ok)
	}
}

func TestParseError6ExtensionHeaders(t *testing.T) {
	req := echo.AppendRequest6(nil, 0x4242, 9, testTok, 9, 16)
	hbh := icmptest.Ext{Type: 0, Hdr: []byte{0, 0, 1, 4, 0, 0, 0, 0}}                            // hop-by-hop, PadN
	frag := icmptest.Ext{Type: 44, Hdr: []byte{0, 0, 0, 1, 0, 0, 0, 42}}                         // fragment, offset 0, M set
	dest := icmptest.Ext{Type: 60, Hdr: []byte{0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}} // destination options, 16 bytes
	m := []byte{icmp.TypeDestUnreachV6, 3, 0, 0, 0, 0, 0, 0}
	m = append(m, icmptest.IPv6Header(self6, target6, 64, 0xb8, 1, icmp.ProtocolICMPv6, len(req), hbh, frag, dest)...)
	m = append(m, req...)
	e, err := icmp.ParseError6(m)
	if err != nil {
		t.Fatal(err)
	}
	if e.Quote.Protocol != icmp.ProtocolICMPv6 || e.Quote.TOS != 0xb8 || e.Quote.TTL != 64 {
		t.Fatalf("quote %+v", e.Quote)
	}
	id, seq, p, ok := e.Quote.Echo()
	if !ok || id != 0x4242 || seq != 9 || len(p) != 16 || string(p[:8]) != string(testTok[:]) {
		t.Errorf("echo %x %d %x %v", id, seq, p, ok)
	}
}

func TestParseError6PacketTooBigAndParamProb(t *testing.T) {
	req := echo.AppendRequest6(nil, 1, 1, echo.Token{}, 1, 8)
	e, err := icmp.ParseError6(icmptest.Error6(icmp.TypePacketTooBigV6, 0, 1280, self6, target6, icmp.ProtocolICMPv6, req))
	if err != nil || e.MTU != 1280 || e.Type != 2 {
		t.Errorf("packet too big %+v %v", e, err)
	}
	e, err = icmp.ParseError6(icmptest.Error6(icmp.TypeParameterProbV6, 1, 40, self6, target6, icmp.ProtocolICMPv6, req))
	if err != nil || e.Pointer != 40 || e.Code != 1 {
		t.Errorf("parameter problem %+v %v", e, err)
	}
}

func TestParseError6Rejects(t *testing.T) {
	req := echo.AppendRequest6(nil, 1, 1, echo.Token{}, 1, 8)
	v4 := icmptest.ErrorFor(icmp.TypeTimeExceeded, 0, self, target1, echo.AppendRequest(nil, 1, 1, echo.Token{}, 1, 8), -1)
	v4[0] = icmp.TypeTimeExceededV6 // an ICMPv6 type over an IPv4 quote
	truncExt := icmptest.Error6(icmp.TypeTimeExceededV6, 0, 0, self6, target6, 0, []byte{17})
	for name, b := range map[string][]byte{
		"echo request":      req,
		"echo reply":        icmptest.EchoReply(req),
		"short":             {icmp.TypeTimeExceededV6, 0, 0},
		"IPv4 quote":        v4,
		"quote cut short":   icmptest.Error6(icmp.TypeTimeExceededV6, 0, 0, self6, target6, 17, nil)[:8+30],
		"extension cut":     truncExt,
		"neighbour solicit": {135, 0, 0, 0, 0, 0, 0, 0},
	} {
		if _, err := icmp.ParseError6(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func ExampleParseError6() {
	// A router's time exceeded, quoting a UDP probe that left with hop
	// limit 1 and flow label 0x12345.
	m, _ := hex.DecodeString("03000000" + "00000000" +
		"60012345" + "00081101" + // version 6, flow 0x12345, 8 bytes of UDP, hop limit 1
		"fd000000000000010000000000000001" + "fd000000000000090000000000000002" +
		"9c40829a00080007")
	e, err := icmp.ParseError6(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, dport, _ := e.Quote.Ports()
	fmt.Println(e.Type, e.Quote.Src, e.Quote.Dst, e.Quote.TTL, dport, binary.BigEndian.Uint16(e.Quote.Payload[6:]))
	// Output: 3 fd00:0:0:1::1 fd00:0:0:9::2 1 33434 7
}
