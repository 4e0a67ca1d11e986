package echo

import (
	"encoding/binary"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"
)

// build writes the request of item into buf: a copy of the socket's
// template with the sequence and probe number set, and on IPv4 the
// checksum from the template's sum and theirs, so that the payload is
// neither filled nor summed again for every probe.
func (s *echoSock) build(buf []byte, probe uint32) []byte {
	seq := uint16(probe)
	if len(s.tmpl) < echoHeaderLen+payloadHeaderLen {
		if s.v6 {
			return appendRequest6(buf[:0], s.id, seq, s.token, probe, s.size, s.pattern)
		}
		return appendRequest(buf[:0], s.id, seq, s.token, probe, s.size, s.pattern)
	}
	b := append(buf[:0], s.tmpl...)
	binary.BigEndian.PutUint16(b[6:], seq)
	binary.BigEndian.PutUint32(b[echoHeaderLen+tokenLen:], probe)
	if !s.v6 { // the kernel sums ICMPv6 (RFC 3542 3.1)
		binary.BigEndian.PutUint16(b[2:], ^checksum.Fold(s.tmplSum+uint64(seq)+uint64(probe>>16)+uint64(probe&0xffff)))
	}
	return b
}

// setTemplate builds s's request template, sequence and probe number
// zero, with the run's token, size and fill.
func (s *echoSock) setTemplate(tok Token, size int, pattern []byte) {
	s.token, s.size, s.pattern = tok, size, pattern
	s.tmpl = nil
	if size < payloadHeaderLen {
		return // too short for the probe number: build appends each one
	}
	s.tmpl = appendRequest(nil, s.id, 0, tok, 0, size, pattern)
	s.tmpl[2], s.tmpl[3] = 0, 0
	s.tmplSum = uint64(checksum.Fold(checksum.Sum(s.tmpl, 0))) // folded: adding three words stays small
	if s.v6 {
		s.tmpl[0] = icmp.TypeEchoV6
	}
}

func (e *Engine) build(buf []byte, it sendItem) []byte {
	return e.sockOf(it.ti).build(buf, it.probe)
}
