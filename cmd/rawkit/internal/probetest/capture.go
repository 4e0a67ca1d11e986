// Package probetest is what the privileged tests of the probing commands
// (ping, traceroute) share: reading the ICMP and ICMPv6 messages of a
// capture independently of the code under test, and finding the
// link-local address a host has on a link.
//
// Only tests import it.
package probetest

import (
	"encoding/binary"
	"net/netip"

	"github.com/rawkit/rawkit/internal/netlab"
)

// ICMP is an ICMP message in a capture.
type ICMP struct {
	Src, Dst netip.Addr
	TTL      int
	Type     int
	ID, Seq  uint16 // echo fields; for errors, those of the quoted request
}

// Captured decodes the ICMP packets of a capture.
func Captured(pkts []netlab.Packet) []ICMP {
	var out []ICMP
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 20 || b[0]>>4 != 4 || b[9] != 1 {
			continue
		}
		ihl := int(b[0]&15) * 4
		m := b[ihl:]
		if len(m) < 8 {
			continue
		}
		s := ICMP{Src: netip.AddrFrom4([4]byte(b[12:16])), Dst: netip.AddrFrom4([4]byte(b[16:20])),
			TTL: int(b[8]), Type: int(m[0])}
		q := m
		if s.Type != 0 && s.Type != 8 && len(m) >= 8+20+8 { // an error: look into the quote
			q = m[8+int(m[8]&15)*4:]
		}
		s.ID, s.Seq = binary.BigEndian.Uint16(q[4:]), binary.BigEndian.Uint16(q[6:])
		out = append(out, s)
	}
	return out
}

// ICMP6 is an ICMPv6 message in a capture.
type ICMP6 struct {
	Src, Dst netip.Addr
	HopLimit int
	Type     int
	MTU      uint32 // packet too big
	// For an error, the quoted datagram: its flow label, next header
	// and, for a quoted echo request, identifier and sequence.
	QuotedFlow uint32
	QuotedNext int
	ID, Seq    uint16
}

// Captured6 decodes the ICMPv6 packets of a capture.
func Captured6(pkts []netlab.Packet) []ICMP6 {
	var out []ICMP6
	for _, p := range pkts {
		b := p.IPv6()
		if b == nil || b[6] != 58 || len(b) < 48 {
			continue
		}
		m := b[40:]
		s := ICMP6{Src: netip.AddrFrom16([16]byte(b[8:24])), Dst: netip.AddrFrom16([16]byte(b[24:40])),
			HopLimit: int(b[7]), Type: int(m[0])}
		switch {
		case s.Type >= 128:
			s.ID, s.Seq = binary.BigEndian.Uint16(m[4:]), binary.BigEndian.Uint16(m[6:])
		case len(m) >= 8+40+8:
			s.MTU = binary.BigEndian.Uint32(m[4:])
			q := m[8:]
			s.QuotedFlow, s.QuotedNext = binary.BigEndian.Uint32(q)&0xfffff, int(q[6])
			s.ID, s.Seq = binary.BigEndian.Uint16(q[44:]), binary.BigEndian.Uint16(q[46:])
		}
		out = append(out, s)
	}
	return out
}

// Count returns how many of seen f accepts.
func Count[T any](seen []T, f func(T) bool) int {
	n := 0
	for _, s := range seen {
		if f(s) {
			n++
		}
	}
	return n
}
