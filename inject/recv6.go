package inject

import (
	"context"
	"encoding/binary"
	"errors"
	"net"

	"github.com/rawkit/rawkit/raw"
	"golang.org/x/net/ipv6"
)

// Receiving answers to IPv6 packets. The kernel never hands an IPv6 raw
// socket the IPv6 header (ipv6(7)), so each answer gets one rebuilt from
// the message's metadata, the way it arrived as far as the socket tells:
// source, destination, hop limit and traffic class; its flow label reads
// 0 and its extension headers are gone.

// answerTypes6 are the ICMPv6 messages that can answer a packet: echo
// replies and errors (RFC 4443). The receive socket filters out the rest
// (ICMP6_FILTER), neighbour discovery and the echo requests of a flood to
// a local address among them.
var answerTypes6 = []ipv6.ICMPType{1, 2, 3, 4, 129}

func (s *Session) openReceivers6() error {
	return s.openReceiversFor(58, raw.ListenIPv6, func(cfg *raw.Config) {
		var f ipv6.ICMPFilter
		f.SetAll(true)
		for _, t := range answerTypes6 {
			f.Accept(t)
		}
		cfg.ICMP6Filter = &f
	})
}

// receive6 is receive for an IPv6 socket of protocol proto.
func (s *Session) receive6(ctx context.Context, c *raw.Conn, proto int, out chan<- Answer) {
	buf := make([]byte, 40+65536)
	for {
		m, err := c.ReadMsg(ctx, buf[40:])
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) || errors.Is(err, raw.ErrNotImplemented) {
				return
			}
			continue // a truncated or malformed packet: read the next
		}
		pkt := header6(buf[:40+len(m.Data)], &m, proto)
		if !s.pass(ctx, pkt, m.Received, out) {
			return
		}
	}
}

// header6 writes an IPv6 header for m's data into pkt[:40] and returns
// pkt, the data following it.
func header6(pkt []byte, m *raw.Message, proto int) []byte {
	tc := max(m.TOS, 0)
	binary.BigEndian.PutUint32(pkt, 6<<28|uint32(tc)<<20)
	binary.BigEndian.PutUint16(pkt[4:], uint16(len(pkt)-40))
	pkt[6], pkt[7] = byte(proto), byte(max(m.TTL, 0))
	src, dst := m.Src.As16(), m.Dst.As16()
	copy(pkt[8:24], src[:])
	copy(pkt[24:40], dst[:])
	return pkt
}
