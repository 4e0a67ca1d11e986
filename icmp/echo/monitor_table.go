package echo

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"
	"github.com/rawkit/rawkit/internal/sched"
)

// A Monitor's payload: its token, then the probe's 64-bit number
// (big-endian), then iputils' fill (byte i is i, modulo 256).
const (
	monitorHeaderLen = tokenLen + 8
	flightChunk      = 1024
)

// A flight is one probe of a Monitor, from its send until a Timeout
// after its deadline (see Monitor).
type flight struct {
	no       uint64 // the Monitor's probe number, in the payload
	p        *Probe
	n        int64 // the target's own count, from 1
	dst      netip.Addr
	sock     int
	seq      uint16
	state    slotState // slotPending, slotReplied or slotLost
	retiring bool      // its deadline passed or it was answered: h is its retirement
	sent     int64     // wall-clock ns (atomic: the sender stamps it again right before the write)
	stamp    int64     // the kernel's send stamp, wall-clock ns; 0 until it comes
	deadline time.Time // on the Monitor's clock
	h        sched.Handle
}

// flightTable holds the flights by index, in chunks that never move (so
// the sender may stamp a flight outside the lock), and finds them by
// probe number.
type flightTable struct {
	chunks [][]flight
	free   []int32
	byNo   map[uint64]int32
}

func (t *flightTable) init() { t.byNo = make(map[uint64]int32) }

func (t *flightTable) at(i int32) *flight { return &t.chunks[i/flightChunk][i%flightChunk] }

// alloc returns a free flight numbered no.
func (t *flightTable) alloc(no uint64) (int32, *flight) {
	if len(t.free) == 0 {
		base := int32(len(t.chunks) * flightChunk)
		t.chunks = append(t.chunks, make([]flight, flightChunk))
		for i := int32(flightChunk - 1); i >= 0; i-- {
			t.free = append(t.free, base+i)
		}
	}
	i := t.free[len(t.free)-1]
	t.free = t.free[:len(t.free)-1]
	t.byNo[no] = i
	return i, t.at(i)
}

// release frees flight i.
func (t *flightTable) release(i int32) {
	f := t.at(i)
	delete(t.byNo, f.no)
	*f = flight{}
	t.free = append(t.free, i)
}

// lookup returns the flight numbered no, or nil.
func (t *flightTable) lookup(no uint64) (int32, *flight) {
	i, ok := t.byNo[no]
	if !ok {
		return -1, nil
	}
	return i, t.at(i)
}

// monitorTemplate returns the echo request of a Monitor's target, with
// sequence, number and checksum zero, and its folded sum.
func monitorTemplate(id uint16, v6 bool, tok Token, size int) ([]byte, uint64) {
	b := make([]byte, echoHeaderLen+size)
	b[0] = icmp.TypeEcho
	if v6 {
		b[0] = icmp.TypeEchoV6
	}
	binary.BigEndian.PutUint16(b[4:], id)
	copy(b[echoHeaderLen:], tok[:])
	for i := monitorHeaderLen; i < size; i++ {
		b[echoHeaderLen+i] = byte(i)
	}
	return b, uint64(checksum.Fold(checksum.Sum(b, 0)))
}

// buildMonitor writes p's request with sequence seq and number no into
// buf. On IPv4 the checksum is the template's sum plus the new words';
// the kernel sums ICMPv6 (RFC 3542 3.1).
func buildMonitor(buf []byte, p *Probe, v6 bool, seq uint16, no uint64) []byte {
	b := append(buf[:0], p.tmpl...)
	binary.BigEndian.PutUint16(b[6:], seq)
	binary.BigEndian.PutUint64(b[echoHeaderLen+tokenLen:], no)
	if !v6 {
		s := p.tmplSum + uint64(seq) + no>>48 + no>>32&0xffff + no>>16&0xffff + no&0xffff
		binary.BigEndian.PutUint16(b[2:], ^checksum.Fold(s))
	}
	return b
}

// monitorFields reads token and number from a Monitor's echo payload.
func monitorFields(payload []byte, tok *Token) (uint64, bool) {
	if len(payload) < monitorHeaderLen || string(payload[:tokenLen]) != string(tok[:]) {
		return 0, false
	}
	return binary.BigEndian.Uint64(payload[tokenLen:]), true
}
