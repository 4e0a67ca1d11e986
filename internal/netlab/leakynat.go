package netlab

import (
	"encoding/binary"
	"errors"
	"net/netip"

	inet "github.com/rawkit/rawkit/internal/checksum"
)

// LeakNAT rewrites an IPv4 ICMP time exceeded or destination unreachable
// (pkt, from the IP header on) as a router behind a NAT that does not
// restore the quotes of the errors it forwards back would have it reach
// the prober: the quoted datagram's source address is src and, for UDP
// and TCP, its source port sport (0 leaves the port), the quoted UDP or
// TCP checksum adjusted as the NAT adjusted it when it rewrote them (RFC
// 1624 3), the quoted IP header checksum and the ICMP checksum those of
// the new message. The result is appended to dst. It fails on other
// packets and on quotes too short to hold what it rewrites.
func LeakNAT(dst, pkt []byte, src netip.Addr, sport uint16) ([]byte, error) {
	if !src.Is4() {
		return dst, errors.New("netlab: a leaky NAT's source must be IPv4")
	}
	if len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != 1 {
		return dst, errors.New("netlab: not an IPv4 ICMP message")
	}
	hl := int(pkt[0]&15) * 4
	if len(pkt) < hl+8+20 || (pkt[hl] != 11 && pkt[hl] != 3) {
		return dst, errors.New("netlab: not a time exceeded or destination unreachable quoting a datagram")
	}
	start := len(dst)
	dst = append(dst, pkt...)
	m := dst[start+hl:]
	q := m[8:]
	qhl := int(q[0]&15) * 4
	if qhl < 20 || len(q) < qhl {
		return dst[:start], errors.New("netlab: quoted header cut short")
	}
	old := [4]byte(q[12:16])
	nw := src.As4()
	copy(q[12:16], nw[:])
	t := q[qhl:]
	// The words that change, old and new, for the transport checksum.
	words := [][2]uint16{
		{binary.BigEndian.Uint16(old[0:]), binary.BigEndian.Uint16(nw[0:])},
		{binary.BigEndian.Uint16(old[2:]), binary.BigEndian.Uint16(nw[2:])},
	}
	proto := q[9]
	if (proto == 17 || proto == 6) && len(t) >= 2 && sport != 0 {
		words = append(words, [2]uint16{binary.BigEndian.Uint16(t), sport})
		binary.BigEndian.PutUint16(t, sport)
	}
	at := -1
	switch {
	case proto == 17 && len(t) >= 8:
		at = 6
	case proto == 6 && len(t) >= 18:
		at = 16
	}
	if at >= 0 {
		c := binary.BigEndian.Uint16(t[at:])
		if proto == 6 || c != 0 { // a UDP checksum of 0 is none (RFC 768)
			binary.BigEndian.PutUint16(t[at:], adjust(c, words))
		}
	}
	binary.BigEndian.PutUint16(q[10:], 0)
	binary.BigEndian.PutUint16(q[10:], inet.Checksum(q[:qhl]))
	binary.BigEndian.PutUint16(m[2:], 0)
	binary.BigEndian.PutUint16(m[2:], inet.Checksum(m))
	return dst, nil
}

// adjust updates checksum c for words changed from old to new: HC' =
// ~(~HC + ~m + m'), RFC 1624 3, equation 3.
func adjust(c uint16, words [][2]uint16) uint16 {
	s := uint64(^c)
	for _, w := range words {
		s += uint64(^w[0]) + uint64(w[1])
	}
	c = ^inet.Fold(s)
	if c == 0 {
		c = 0xffff
	}
	return c
}
