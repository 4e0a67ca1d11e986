package icmptest

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"
)

// ReplyAfter is a Script answering every echo request after d from its
// destination, with TTL 64.
func ReplyAfter(d time.Duration) Script {
	return func(b []byte, dst netip.Addr) []Delivery {
		return []Delivery{{d, icmp.Message{Data: EchoReply(b), Src: dst, TTL: 64}}}
	}
}

// EchoReply turns an echo request into the reply a host would send:
// an ICMPv6 echo reply to an ICMPv6 request, whose checksum is the
// kernels' business on both sides (RFC 3542 3.1), and otherwise an ICMP
// echo reply with its checksum.
func EchoReply(req []byte) []byte {
	r := append([]byte(nil), req...)
	if r[0] == icmp.TypeEchoV6 {
		r[0] = icmp.TypeEchoReplyV6
		return r
	}
	r[0], r[2], r[3] = icmp.TypeEchoReply, 0, 0
	binary.BigEndian.PutUint16(r[2:], checksum.Checksum(r))
	return r
}

// Seq returns the sequence number of an echo request or reply.
func Seq(b []byte) uint16 { return binary.BigEndian.Uint16(b[6:]) }

// IPv4Header builds the 20-byte header of an ICMP datagram from src to
// dst, as an ICMP error quotes it: identification 0x1234, the given TTL,
// a payload of payloadLen bytes.
func IPv4Header(src, dst netip.Addr, ttl int, payloadLen int) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+payloadLen))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	h[8], h[9] = byte(ttl), icmp.ProtocolICMP
	s, d := src.As4(), dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	binary.BigEndian.PutUint16(h[10:], checksum.Checksum(h))
	return h
}

// Ext is an IPv6 extension header for IPv6Header: its type and its
// bytes, whose first (the next header) IPv6Header fills in.
type Ext struct {
	Type byte
	Hdr  []byte
}

// IPv6Header builds the 40-byte header of an IPv6 datagram from src to
// dst, with the given hop limit, traffic class and flow label, and the
// extension headers exts after it, the last naming next; the payload
// length counts them and payloadLen bytes.
func IPv6Header(src, dst netip.Addr, hlim, tclass, flow int, next byte, payloadLen int, exts ...Ext) []byte {
	const fixed = 40
	h := make([]byte, fixed)
	binary.BigEndian.PutUint32(h, 6<<28|uint32(tclass)<<20|uint32(flow))
	h[7] = byte(hlim)
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	at := 6 // where the next header's number goes
	for _, x := range exts {
		h[at] = x.Type
		at = len(h)
		h = append(h, x.Hdr...)
	}
	h[at] = next
	binary.BigEndian.PutUint16(h[4:], uint16(len(h)-fixed+payloadLen))
	return h
}

// ErrorFor builds an ICMP error of type typ and code quoting req, an
// echo request sent from src to dst, keeping quoteLen bytes of it (-1:
// all). The quoted header has TTL (hop limit) 1. Between IPv6 addresses
// it is an ICMPv6 error of that type and code, with no checksum: the
// receiving kernel checks it before a socket sees the message.
func ErrorFor(typ, code int, src, dst netip.Addr, req []byte, quoteLen int) []byte {
	if quoteLen < 0 || quoteLen > len(req) {
		quoteLen = len(req)
	}
	m := []byte{byte(typ), byte(code), 0, 0, 0, 0, 0, 0}
	if dst.Is6() {
		m = append(m, IPv6Header(src, dst, 1, 0, 0, icmp.ProtocolICMPv6, len(req))...)
		return append(m, req[:quoteLen]...)
	}
	m = append(m, IPv4Header(src, dst, 1, len(req))...)
	m = append(m, req[:quoteLen]...)
	binary.BigEndian.PutUint16(m[2:], checksum.Checksum(m))
	return m
}

// Error6 builds an ICMPv6 error of type typ and code, with word in the
// four bytes after the checksum (the MTU of a packet too big, the
// pointer of a parameter problem), quoting all of req: an upper-layer
// message of protocol next sent from src to dst, under a header with
// hop limit 1 and flow label 0x12345.
func Error6(typ, code int, word uint32, src, dst netip.Addr, next byte, req []byte) []byte {
	m := []byte{byte(typ), byte(code), 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(m[4:], word)
	m = append(m, IPv6Header(src, dst, 1, 0, 0x12345, next, len(req))...)
	return append(m, req...)
}
