package netlab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	xicmp "golang.org/x/net/icmp"

	inet "github.com/rawkit/rawkit/internal/checksum"
)

// RFC 4884 and RFC 4950 layout.
const (
	// extQuoteLen is what the original datagram field of a message with
	// extensions is padded or cut to (RFC 4884 5.1: at least 128 octets).
	extQuoteLen = 128
	extVersion  = 2 // the extension header's version (RFC 4884 7)
	// MPLS label stack object: class 1, C-type 1 (RFC 4950 7).
	mplsClass, mplsCType = 1, 1
)

// AddMPLSExtension rewrites an IPv4 ICMP or IPv6 ICMPv6 time exceeded or
// destination unreachable (pkt, from the IP header on) as an RFC 4884
// message carrying an RFC 4950 MPLS label stack, as an MPLS router
// (RFC 4950) sends it: the quoted datagram is cut or zero-padded to 128
// bytes, the length attribute says so (IPv4: in 32-bit words, ICMPv6: in
// 64-bit words), and the extension structure follows, a version 2 header
// and its checksum, then one label stack object. The IPv4 header's total
// length and checksum, the IPv6 payload length and the ICMP checksum
// (ICMPv6: with its pseudo-header, RFC 8200 8.1) are those of the new
// message. The result is appended to dst.
//
// It fails on other packets, an IPv6 packet with extension headers, or a
// message that has an extension already.
func AddMPLSExtension(dst, pkt []byte, labels []xicmp.MPLSLabel) ([]byte, error) {
	if len(labels) == 0 {
		return dst, errors.New("netlab: an MPLS label stack needs a label")
	}
	if len(pkt) < 1 {
		return dst, errors.New("netlab: empty packet")
	}
	var hlen, lenAt, unit int
	switch v := pkt[0] >> 4; v {
	case 4:
		hlen, lenAt, unit = int(pkt[0]&15)*4, 5, 4
		if hlen < 20 || len(pkt) < hlen+8 || pkt[9] != 1 {
			return dst, errors.New("netlab: not an IPv4 ICMP message")
		}
		if t := pkt[hlen]; t != 11 && t != 3 {
			return dst, fmt.Errorf("netlab: ICMP type %d is not time exceeded or destination unreachable", t)
		}
	case 6:
		hlen, lenAt, unit = 40, 4, 8
		if len(pkt) < hlen+8 || pkt[6] != 58 {
			return dst, errors.New("netlab: not an ICMPv6 message right after the IPv6 header")
		}
		if t := pkt[hlen]; t != 3 && t != 1 {
			return dst, fmt.Errorf("netlab: ICMPv6 type %d is not time exceeded or destination unreachable", t)
		}
	default:
		return dst, fmt.Errorf("netlab: IP version %d", v)
	}
	icmp := pkt[hlen:]
	if icmp[lenAt] != 0 {
		return dst, errors.New("netlab: the message has a length attribute: extended already")
	}
	quote := icmp[8:min(len(icmp), 8+extQuoteLen)]
	objLen := 4 + 4*len(labels)
	start := len(dst)
	dst = append(dst, pkt[:hlen]...)
	dst = append(dst, icmp[:8]...)
	dst = append(dst, quote...)
	dst = append(dst, make([]byte, extQuoteLen-len(quote))...)
	ext := len(dst)
	dst = append(dst, extVersion<<4, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(objLen))
	dst = append(dst, mplsClass, mplsCType)
	for _, l := range labels {
		e := uint32(l.Label&0xfffff)<<12 | uint32(l.TC&7)<<9 | uint32(l.TTL&0xff)
		if l.S {
			e |= 1 << 8
		}
		dst = binary.BigEndian.AppendUint32(dst, e)
	}
	binary.BigEndian.PutUint16(dst[ext+2:], checksum(dst[ext:], 0))

	p := dst[start:]
	m := p[hlen:]
	m[2], m[3] = 0, 0
	m[lenAt] = extQuoteLen / byte(unit)
	if pkt[0]>>4 == 4 {
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		p[10], p[11] = 0, 0
		binary.BigEndian.PutUint16(p[10:], checksum(p[:hlen], 0))
		binary.BigEndian.PutUint16(m[2:], checksum(m, 0))
		return dst, nil
	}
	binary.BigEndian.PutUint16(p[4:], uint16(len(m)))
	src, dst6 := netip.AddrFrom16([16]byte(p[8:24])), netip.AddrFrom16([16]byte(p[24:40]))
	binary.BigEndian.PutUint16(m[2:], checksum(m, inet.Pseudo(src, dst6, 58, len(m))))
	return dst, nil
}

// checksum is the Internet checksum of b added to the starting sum s (a
// pseudo-header's, or 0), computed by internal/checksum (imported as
// inet, since this shorthand for the four checksums above holds the name).
func checksum(b []byte, s uint64) uint16 { return ^inet.Fold(inet.Sum(b, s)) }
