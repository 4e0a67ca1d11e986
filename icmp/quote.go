package icmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	xicmp "golang.org/x/net/icmp"
)

// Error is an ICMP error message — destination unreachable, source
// quench, redirect, time exceeded or parameter problem — with the start of
// the datagram it quotes (RFC 792; RFC 1812 4.3.2.3: routers quote as much
// as fits in 576 bytes, the minimum being the IP header and 8 bytes).
//
// An ICMPv6 error (ParseError6: RFC 4443 destination unreachable, packet
// too big, time exceeded, parameter problem) has IPv6 set; Type and Code
// are then ICMPv6's own, and MTU the packet-too-big MTU.
type Error struct {
	From    netip.Addr // the error's sender; filled by the caller, ParseError leaves it zero
	IPv6    bool       // an ICMPv6 error quoting an IPv6 datagram
	Type    int
	Code    int
	MTU     int        // next-hop MTU of "fragmentation needed" (type 3 code 4, RFC 1191) or of ICMPv6 packet too big, else 0
	Gateway netip.Addr // the new first hop of a redirect (type 5)
	Pointer int        // the offending octet of a parameter problem (type 12; ICMPv6 type 4)
	Quote   Quote
	// Extensions are the RFC 4884 objects after the quoted datagram, such
	// as RFC 4950 MPLS label stacks, as x/net/icmp parses them.
	Extensions []xicmp.Extension
}

// Quote is the IP datagram an ICMP error quotes: its header fields as
// the router saw them and the leading transport bytes. For an IPv6
// datagram, Protocol is the upper-layer header found after any extension
// headers, TTL the hop limit, TOS the traffic class, ID -1 and Length the
// payload length plus the 40-byte header.
type Quote struct {
	Src, Dst  netip.Addr
	Protocol  int
	TTL       int // the TTL (hop limit) the datagram had when it reached the error's sender
	TOS       int
	ID        int // IP identification; -1 for IPv6
	FlowLabel int // the IPv6 flow label; 0 for IPv4
	Length    int // the IP total length the header states
	// Payload is what the error carried of the transport header and data,
	// at least 8 bytes from a conforming sender. It aliases the input.
	Payload []byte
}

// IsErrorType reports whether an ICMP type is one of the error messages
// that quote a datagram.
func IsErrorType(t int) bool {
	switch t {
	case TypeDestUnreach, TypeSourceQuench, TypeRedirect, TypeTimeExceeded, TypeParameterProb:
		return true
	}
	return false
}

// ErrNotError is returned by ParseError for a message that is not an ICMP
// error.
var ErrNotError = errors.New("icmp: not an ICMP error message")

// ParseError parses m, an ICMPv4 message starting at its type byte, as an
// error message and the datagram it quotes. Quote.Payload aliases m.
func ParseError(m []byte) (Error, error) {
	if len(m) < headerLen || !IsErrorType(int(m[0])) {
		return Error{}, ErrNotError
	}
	e := Error{Type: int(m[0]), Code: int(m[1])}
	data := m[headerLen:]
	switch e.Type {
	case TypeDestUnreach, TypeTimeExceeded, TypeParameterProb:
		// x/net/icmp splits the quote from RFC 4884 extensions.
		msg, err := xicmp.ParseMessage(ProtocolICMP, m)
		if err != nil {
			return Error{}, fmt.Errorf("icmp: parse error message: %w", err)
		}
		switch b := msg.Body.(type) {
		case *xicmp.DstUnreach:
			data, e.Extensions = b.Data, b.Extensions
		case *xicmp.TimeExceeded:
			data, e.Extensions = b.Data, b.Extensions
		case *xicmp.ParamProb:
			data, e.Extensions = b.Data, b.Extensions
			e.Pointer = int(b.Pointer)
		}
		if e.Type == TypeDestUnreach && e.Code == 4 {
			e.MTU = int(binary.BigEndian.Uint16(m[6:]))
		}
	case TypeRedirect:
		e.Gateway = netip.AddrFrom4([4]byte(m[4:8]))
	}
	q, err := parseQuote(data)
	if err != nil {
		return Error{}, err
	}
	e.Quote = q
	return e, nil
}

func parseQuote(b []byte) (Quote, error) {
	h, err := xicmp.ParseIPv4Header(b)
	if err != nil {
		return Quote{}, fmt.Errorf("icmp: quoted datagram: %w", err)
	}
	if h.Version != 4 {
		return Quote{}, fmt.Errorf("icmp: quoted datagram: IP version %d", h.Version)
	}
	src, _ := netip.AddrFromSlice(h.Src.To4())
	dst, _ := netip.AddrFromSlice(h.Dst.To4())
	return Quote{
		Src: src, Dst: dst,
		Protocol: h.Protocol,
		TTL:      h.TTL,
		TOS:      h.TOS,
		ID:       h.ID,
		Length:   h.TotalLen,
		Payload:  b[h.Len:],
	}, nil
}

// Echo returns the identifier, sequence and payload of a quoted ICMP or
// ICMPv6 echo request; ok is false when the quote is not one.
func (q Quote) Echo() (id, seq uint16, payload []byte, ok bool) {
	p := q.Payload
	if len(p) < headerLen {
		return 0, 0, nil, false
	}
	if !(q.Protocol == ProtocolICMP && p[0] == TypeEcho) && !(q.Protocol == ProtocolICMPv6 && p[0] == TypeEchoV6) {
		return 0, 0, nil, false
	}
	return binary.BigEndian.Uint16(p[4:]), binary.BigEndian.Uint16(p[6:]), p[headerLen:], true
}

// Ports returns the source and destination ports of a quoted UDP or TCP
// segment.
func (q Quote) Ports() (src, dst uint16, ok bool) {
	if (q.Protocol != 6 && q.Protocol != 17) || len(q.Payload) < 4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(q.Payload), binary.BigEndian.Uint16(q.Payload[2:]), true
}

// UDPChecksum returns the checksum of a quoted UDP datagram, which
// Paris-style traceroutes vary to tell probes apart.
func (q Quote) UDPChecksum() (uint16, bool) {
	if q.Protocol != 17 || len(q.Payload) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint16(q.Payload[6:]), true
}

// TCPSeq returns the sequence number of a quoted TCP segment.
func (q Quote) TCPSeq() (uint32, bool) {
	if q.Protocol != 6 || len(q.Payload) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint32(q.Payload[4:]), true
}
