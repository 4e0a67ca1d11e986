package icmp_test

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"

	"encoding/hex"
	"fmt"
	"net/netip"
	"testing"
)

// Addresses and a run token of the quoted requests.
var (
	target1 = netip.MustParseAddr("127.0.0.1")
	self    = netip.MustParseAddr("10.0.0.1")
	target6 = netip.MustParseAddr("fd00:0:0:9::2")
	self6   = netip.MustParseAddr("fd00:0:0:1::1")
	testTok = echo.Token{1, 2, 3, 4, 5, 6, 7, 8}
)

// A time exceeded from 10.0.1.1 quoting the first 8 bytes of an echo
// request 10.0.0.1 > 10.0.9.2, id 0x4242, seq 3 (RFC 792 minimum quote).
const timeExceededHex = "0b00f4ff00000000" + // type 11 code 0, unused
	"4500005412340000" + "0101" + "0000" + "0a000001" + "0a000902" + // quoted IPv4 header, ttl 1
	"0800000042420003" // quoted ICMP echo header

func TestParseErrorTimeExceeded(t *testing.T) {
	b, _ := hex.DecodeString(timeExceededHex)
	e, err := icmp.ParseError(b)
	if err != nil {
		t.Fatal(err)
	}
	q := e.Quote
	if e.Type != 11 || e.Code != 0 || q.Src != netip.MustParseAddr("10.0.0.1") ||
		q.Dst != netip.MustParseAddr("10.0.9.2") || q.TTL != 1 || q.Protocol != 1 || q.ID != 0x1234 || q.Length != 84 {
		t.Fatalf("parsed %+v", e)
	}
	id, seq, payload, ok := q.Echo()
	if !ok || id != 0x4242 || seq != 3 || len(payload) != 0 {
		t.Errorf("echo %x %d %x %v", id, seq, payload, ok)
	}
	if _, _, ok := q.Ports(); ok {
		t.Error("ports from an ICMP quote")
	}
}

func TestParseErrorFragNeededAndRedirect(t *testing.T) {
	req := echo.AppendRequest(nil, 9, 1, echo.Token{}, 1, 56)
	m := icmptest.ErrorFor(icmp.TypeDestUnreach, 4, self, target1, req, -1)
	m[6], m[7] = 0x05, 0x00 // next-hop MTU 1280
	e, err := icmp.ParseError(m)
	if err != nil {
		t.Fatal(err)
	}
	if e.MTU != 1280 {
		t.Errorf("mtu %d", e.MTU)
	}
	if _, _, p, ok := e.Quote.Echo(); !ok || len(p) != 56 {
		t.Errorf("quoted payload %d bytes", len(p))
	}
	r := icmptest.ErrorFor(icmp.TypeRedirect, 1, self, target1, req, 8)
	copy(r[4:8], []byte{10, 0, 0, 254})
	e, err = icmp.ParseError(r)
	if err != nil || e.Gateway != netip.MustParseAddr("10.0.0.254") {
		t.Errorf("redirect %+v %v", e, err)
	}
}

func TestParseErrorRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"echo reply": icmptest.EchoReply(echo.AppendRequest(nil, 1, 1, echo.Token{}, 1, 8)),
		"short":      {11, 0, 0},
		"no quote":   {11, 0, 0, 0, 0, 0, 0, 0, 0x45, 0},
		"ipv6 quote": append([]byte{3, 1, 0, 0, 0, 0, 0, 0, 0x60}, make([]byte, 40)...),
	} {
		if _, err := icmp.ParseError(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestQuoteUDPAndTCP(t *testing.T) {
	udp := icmp.Quote{Protocol: 17, Payload: []byte{0x82, 0x9a, 0x82, 0x9b, 0, 8, 0xbe, 0xef}}
	if s, d, ok := udp.Ports(); !ok || s != 33434 || d != 33435 {
		t.Errorf("udp ports %d %d", s, d)
	}
	if c, ok := udp.UDPChecksum(); !ok || c != 0xbeef {
		t.Errorf("udp checksum %x", c)
	}
	tcp := icmp.Quote{Protocol: 6, Payload: []byte{0, 80, 0x1f, 0x90, 0, 0, 3, 0xe8}}
	if s, ok := tcp.TCPSeq(); !ok || s != 1000 {
		t.Errorf("tcp seq %d", s)
	}
}

func FuzzParseError(f *testing.F) {
	b, _ := hex.DecodeString(timeExceededHex)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := icmp.ParseError(b)
		if err == nil {
			e.Quote.Echo()
			e.Quote.Ports()
		}
	})
}

func ExampleParseError() {
	b, _ := hex.DecodeString(timeExceededHex)
	e, err := icmp.ParseError(b)
	if err != nil {
		panic(err)
	}
	id, seq, _, _ := e.Quote.Echo()
	fmt.Printf("type %d code %d: %v > %v ttl %d, echo id %#x seq %d\n",
		e.Type, e.Code, e.Quote.Src, e.Quote.Dst, e.Quote.TTL, id, seq)
	// Output: type 11 code 0: 10.0.0.1 > 10.0.9.2 ttl 1, echo id 0x4242 seq 3
}
