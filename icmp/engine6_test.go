//go:build go1.25

package icmp

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

var (
	target6 = netip.MustParseAddr("fd00:0:0:9::2")
	router6 = netip.MustParseAddr("fd00:0:0:1::2")
	self6   = netip.MustParseAddr("fd00:0:0:1::1")
)

// echoReply6 turns an ICMPv6 echo request into its reply; the checksum
// is the kernel's business on both sides.
func echoReply6(req []byte) []byte {
	r := append([]byte(nil), req...)
	r[0] = TypeEchoReplyV6
	return r
}

// ext6 is an IPv6 extension header for a quoted datagram: its type and
// its bytes, whose first (next header) is filled in by ipv6Header.
type ext6 struct {
	typ byte
	hdr []byte
}

// ipv6Header builds the 40-byte header a quoted IPv6 datagram starts
// with, and the extension headers exts after it, the last naming next.
func ipv6Header(src, dst netip.Addr, hlim, tclass, flow int, next byte, payloadLen int, exts ...ext6) []byte {
	h := make([]byte, ipv6HeaderLen)
	binary.BigEndian.PutUint32(h, 6<<28|uint32(tclass)<<20|uint32(flow))
	h[7] = byte(hlim)
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	at := 6 // where the next header's number goes
	for _, x := range exts {
		h[at] = x.typ
		at = len(h)
		h = append(h, x.hdr...)
	}
	h[at] = next
	binary.BigEndian.PutUint16(h[4:], uint16(len(h)-ipv6HeaderLen+payloadLen))
	return h
}

// icmp6ErrorFor builds an ICMPv6 error of the given type quoting req
// (an upper-layer message of protocol next, sent from src to dst).
func icmp6ErrorFor(typ, code int, word uint32, src, dst netip.Addr, next byte, req []byte) []byte {
	m := []byte{byte(typ), byte(code), 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(m[4:], word)
	m = append(m, ipv6Header(src, dst, 1, 0, 0x12345, next, len(req))...)
	return append(m, req...)
}

func TestEcho6RepliesAndErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeConn(func(b []byte, dst netip.Addr) []delivery {
			switch seqOf(b) {
			case 1:
				return []delivery{{300 * time.Microsecond, Message{Data: echoReply6(b), Src: dst, TTL: 61}}}
			case 2:
				m := icmp6ErrorFor(TypeTimeExceededV6, 0, 0, self6, dst, protocolICMPv6, b)
				return []delivery{{100 * time.Microsecond, Message{Data: m, Src: router6, TTL: 63}}}
			case 3: // an IPv4-style echo reply means nothing on an ICMPv6 socket
				r := append([]byte(nil), b...)
				r[0] = TypeEchoReply
				return []delivery{{100 * time.Microsecond, Message{Data: r, Src: dst, TTL: 61}}}
			}
			m := icmp6ErrorFor(TypePacketTooBigV6, 0, 1280, self6, dst, protocolICMPv6, b)
			return []delivery{{100 * time.Microsecond, Message{Data: m, Src: router6, TTL: 63}}}
		})
		e, rec, err := run(t, c, []netip.Addr{target6}, EchoConfig{Count: 4, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.sentPackets() {
			if p.b[0] != TypeEchoV6 || p.dst != target6 || len(p.b) != 64 {
				t.Errorf("sent type %d to %v, %d bytes; want an ICMPv6 echo request of 64 bytes to %v", p.b[0], p.dst, len(p.b), target6)
			}
		}
		s := e.Stats()
		if s.Transmitted != 4 || s.Received != 1 || s.Errors != 2 || s.Lost != 3 {
			t.Fatalf("stats %+v, want 4 sent, 1 received, 2 errors, 3 lost", s)
		}
		r := rec.kinds(EventReply)
		if len(r) != 1 || r[0].TTL != 61 || r[0].RTT != 300*time.Microsecond || r[0].Bytes != 64 {
			t.Errorf("replies %+v", r)
		}
		errs := rec.kinds(EventError)
		if len(errs) != 2 {
			t.Fatalf("errors %+v", errs)
		}
		te, ptb := errs[0].ICMP, errs[1].ICMP
		if !te.IPv6 || te.Type != TypeTimeExceededV6 || errs[0].Seq != 2 || errs[0].From != router6 || te.Quote.FlowLabel != 0x12345 {
			t.Errorf("time exceeded %+v", errs[0])
		}
		if ptb.Type != TypePacketTooBigV6 || ptb.MTU != 1280 || errs[1].Seq != 4 {
			t.Errorf("packet too big %+v", errs[1])
		}
	})
}

func TestEcho6ErrorForOtherDestinationIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		other := netip.MustParseAddr("fd00::99")
		c := newFakeConn(func(b []byte, dst netip.Addr) []delivery {
			m := icmp6ErrorFor(TypeDestUnreachV6, 3, 0, self6, other, protocolICMPv6, b)
			return []delivery{{time.Millisecond, Message{Data: m, Src: router6, TTL: 63}}}
		})
		e, _, err := run(t, c, []netip.Addr{target6}, EchoConfig{Count: 1, Timeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if s := e.Stats(); s.Errors != 0 || s.Lost != 1 {
			t.Errorf("stats %+v: an error quoting a request to another host was counted", s)
		}
	})
}

func TestEcho6QueuedError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeConn(func(b []byte, dst netip.Addr) []delivery {
			q := QueuedError{Valid: true, Type: TypePacketTooBigV6, Code: 0, Info: 1400, Dst: dst}
			return []delivery{{time.Millisecond, Message{Data: append([]byte(nil), b...), Src: router6, TTL: -1, Queued: q}}}
		})
		_, rec, err := run(t, c, []netip.Addr{target6}, EchoConfig{Count: 1, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		errs := rec.kinds(EventError)
		if len(errs) != 1 || !errs[0].ICMP.IPv6 || errs[0].ICMP.MTU != 1400 || errs[0].From != router6 {
			t.Fatalf("queued errors %+v", errs)
		}
	})
}

func TestEchoRejectsMixedFamilies(t *testing.T) {
	for _, ts := range [][]netip.Addr{{target1, target6}, {target6, target1}} {
		if _, err := NewEcho(newFakeConn(nil), 1, ts, nil); err == nil {
			t.Errorf("NewEcho(%v) accepted two families on one socket", ts)
		}
	}
}
