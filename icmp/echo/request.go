package echo

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"

	"encoding/binary"
)

const (
	echoHeaderLen      = 8
	tokenLen           = 8
	probeNumberLen     = 4
	payloadHeaderLen   = tokenLen + probeNumberLen
	maxEchoPayload     = 65507 // 65535 - 20 (IPv4) - 8 (ICMP)
	maxEchoPayload6    = 65527 // 65535 (IPv6 payload length) - 8 (ICMPv6), as iputils
	defaultEchoPayload = 56
)

// Token is the per-run random value carried at the start of every echo
// request's payload; replies that do not echo it back belong to someone else.
type Token [tokenLen]byte

// AppendRequest appends an ICMP echo request to b and returns the result.
//
// The payload is size bytes: the token, then the probe's full 32-bit number
// (big-endian; the low 16 bits are the ICMP sequence), then the bytes 12,
// 13, 14, ... (modulo 256), the fill iputils uses. When size is below 12,
// the payload holds as much of token and number as fits.
func AppendRequest(b []byte, id, seq uint16, tok Token, probe uint32, size int) []byte {
	return appendRequest(b, id, seq, tok, probe, size, nil)
}

// appendRequest is AppendRequest with the fill of iputils -p: the payload's byte
// i, past the token and number, is pattern[i%len(pattern)]; a nil
// pattern means byte(i).
func appendRequest(b []byte, id, seq uint16, tok Token, probe uint32, size int, pattern []byte) []byte {
	start := len(b)
	b = append(b, icmp.TypeEcho, 0, 0, 0, byte(id>>8), byte(id), byte(seq>>8), byte(seq))
	var head [payloadHeaderLen]byte
	copy(head[:], tok[:])
	binary.BigEndian.PutUint32(head[tokenLen:], probe)
	b = append(b, head[:min(size, payloadHeaderLen)]...)
	for i := payloadHeaderLen; i < size; i++ {
		b = append(b, fillByte(i, pattern))
	}
	cs := checksum.Checksum(b[start:])
	b[start+2], b[start+3] = byte(cs>>8), byte(cs)
	return b
}

// AppendRequest6 appends an ICMPv6 echo request (type 128) to b, with the
// payload AppendRequest writes. The checksum is left zero: it covers an IPv6
// pseudo-header with the source address, which the kernel fills in on
// raw ICMPv6 and ping sockets alike (RFC 3542 3.1, raw(7)).
func AppendRequest6(b []byte, id, seq uint16, tok Token, probe uint32, size int) []byte {
	return appendRequest6(b, id, seq, tok, probe, size, nil)
}

func appendRequest6(b []byte, id, seq uint16, tok Token, probe uint32, size int, pattern []byte) []byte {
	start := len(b)
	b = appendRequest(b, id, seq, tok, probe, size, pattern)
	b[start] = icmp.TypeEchoV6
	b[start+2], b[start+3] = 0, 0
	return b
}

// fillByte is the payload's byte i past the token and probe number.
func fillByte(i int, pattern []byte) byte {
	if len(pattern) == 0 {
		return byte(i)
	}
	return pattern[i%len(pattern)]
}

// checkedFrom is where iputils starts comparing a reply's payload with
// what it sent: past its struct timeval (ping_common.c), which is where
// rawkit's fill has begun too.
const checkedFrom = 16

// wrongByte returns the offset in payload of the first byte past
// checkedFrom that differs from the fill sent, or 0 when all match.
func wrongByte(payload, pattern []byte) int {
	if len(pattern) == 0 {
		// Every reply of a flood comes through here: no call or
		// division per byte.
		for i := checkedFrom; i < len(payload); i++ {
			if payload[i] != byte(i) {
				return i
			}
		}
		return 0
	}
	for i := checkedFrom; i < len(payload); i++ {
		if payload[i] != pattern[i%len(pattern)] {
			return i
		}
	}
	return 0
}

// echoFields are the parts of an echo message the engine matches on.
type echoFields struct {
	typ      byte
	id, seq  uint16
	payload  []byte
	probe    uint32 // full probe number; valid when hasProbe
	hasProbe bool
	tokenOK  bool // the token bytes present equal ours (vacuously true when none fit)
}

// parseEcho reads an echo request or reply without allocating.
func parseEcho(m []byte, tok *Token) (echoFields, bool) {
	if len(m) < echoHeaderLen {
		return echoFields{}, false
	}
	f := echoFields{
		typ: m[0],
		id:  binary.BigEndian.Uint16(m[4:]),
		seq: binary.BigEndian.Uint16(m[6:]),
	}
	f.setPayload(m[echoHeaderLen:], tok)
	return f, true
}

// setPayload reads token and probe number from an echo payload.
func (f *echoFields) setPayload(p []byte, tok *Token) {
	f.payload = p
	n := min(len(p), tokenLen)
	f.tokenOK = string(p[:n]) == string(tok[:n])
	if len(p) >= payloadHeaderLen {
		f.probe = binary.BigEndian.Uint32(p[tokenLen:])
		f.hasProbe = true
	}
}
