package icmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	xicmp "golang.org/x/net/icmp"
)

// IsErrorTypeV6 reports whether an ICMPv6 type is one of the error
// messages that quote a datagram (types below 128, RFC 4443 2.1).
func IsErrorTypeV6(t int) bool {
	switch t {
	case TypeDestUnreachV6, TypePacketTooBigV6, TypeTimeExceededV6, TypeParameterProbV6:
		return true
	}
	return false
}

// ParseError6 parses m, an ICMPv6 message starting at its type byte, as
// an error message and the IPv6 datagram it quotes (RFC 4443: as much of
// it as fits in the minimum MTU of 1280 bytes). Quote.Payload aliases m.
func ParseError6(m []byte) (Error, error) {
	if len(m) < headerLen || !IsErrorTypeV6(int(m[0])) {
		return Error{}, ErrNotError
	}
	e := Error{IPv6: true, Type: int(m[0]), Code: int(m[1])}
	msg, err := xicmp.ParseMessage(ProtocolICMPv6, m)
	if err != nil {
		return Error{}, fmt.Errorf("icmp: parse ICMPv6 error message: %w", err)
	}
	var data []byte
	switch b := msg.Body.(type) {
	case *xicmp.DstUnreach:
		data, e.Extensions = b.Data, b.Extensions
	case *xicmp.TimeExceeded:
		data, e.Extensions = b.Data, b.Extensions
	case *xicmp.PacketTooBig:
		data, e.MTU = b.Data, b.MTU
	case *xicmp.ParamProb:
		data, e.Extensions = b.Data, b.Extensions
		e.Pointer = int(b.Pointer)
	default:
		return Error{}, ErrNotError
	}
	q, err := parseQuote6(data)
	if err != nil {
		return Error{}, err
	}
	e.Quote = q
	return e, nil
}

// ParseErrorFor parses an ICMP error of either family: ParseError6 when
// v6 is set, ParseError otherwise. It is the one place both engines turn
// an error into the datagram it quotes.
func ParseErrorFor(v6 bool, m []byte) (Error, error) {
	if v6 {
		return ParseError6(m)
	}
	return ParseError(m)
}

// parseQuote6 reads a quoted IPv6 header and walks the extension headers
// that may sit between it and the upper layer (RFC 8200 4.1): hop-by-hop
// options, routing, fragment and destination options.
func parseQuote6(b []byte) (Quote, error) {
	if len(b) < ipv6HeaderLen {
		return Quote{}, fmt.Errorf("icmp: quoted IPv6 datagram: %d bytes, want at least %d", len(b), ipv6HeaderLen)
	}
	if v := b[0] >> 4; v != 6 {
		return Quote{}, fmt.Errorf("icmp: quoted datagram: IP version %d, want 6", v)
	}
	vtf := binary.BigEndian.Uint32(b)
	q := Quote{
		Src:       netip.AddrFrom16([16]byte(b[8:24])),
		Dst:       netip.AddrFrom16([16]byte(b[24:40])),
		TOS:       int(vtf >> 20 & 0xff),
		FlowLabel: int(vtf & 0xfffff),
		TTL:       int(b[7]),
		ID:        -1,
		Length:    ipv6HeaderLen + int(binary.BigEndian.Uint16(b[4:])),
	}
	next, p := int(b[6]), b[ipv6HeaderLen:]
	for hops := 0; ; hops++ {
		var n int
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(p) < 2 {
				return Quote{}, errTruncatedExt
			}
			n = (int(p[1]) + 1) * 8
		case 44: // fragment: fixed 8 bytes
			n = 8
		default:
			q.Protocol, q.Payload = next, p
			return q, nil
		}
		if len(p) < n || hops == 8 {
			return Quote{}, errTruncatedExt
		}
		next, p = int(p[0]), p[n:]
	}
}

var errTruncatedExt = errors.New("icmp: quoted IPv6 datagram: extension headers cut short")
