package inject

import (
	"encoding/binary"
	"net/netip"

	"github.com/rawkit/rawkit/icmp"
)

// A Matcher tells which sent packet a received one answers, as scapy's sr
// does: an ICMP reply by identifier and sequence number, an ICMP error by
// the datagram it quotes, a TCP or UDP segment by addresses and ports
// (and, for TCP, by the acknowledgment number). It holds no socket: the
// received packets come from anywhere, and it keeps no state between
// calls, so that it may be used from several goroutines.
type Matcher struct {
	pkts   []sent
	echo   map[echoKey]int
	flows  map[flowKey][]int
	quotes map[quoteKey][]int
}

// sent is what a Matcher knows of one sent packet.
type sent struct {
	src, dst netip.Addr
	proto    uint8
	ipID     uint16
	// TCP: the acknowledgment number an answer carries, and the sequence
	// number a RST to a segment with ACK carries.
	wantAck, rstSeq uint32
	hasAck          bool
}

type echoKey struct {
	peer, local netip.Addr
	typ         uint8
	id, seq     uint16
}

type flowKey struct {
	proto       uint8
	peer, local netip.AddrPort
}

type quoteKey struct {
	dst   netip.Addr
	proto uint8
	n     uint8   // bytes of b used: 8, or fewer for a short packet
	b     [8]byte // the first bytes after the IPv4 header
}

// queryReply maps the ICMP queries to the type of their reply (RFC 792,
// RFC 950).
var queryReply = map[uint8]uint8{8: 0, 13: 14, 15: 16, 17: 18}

// NewMatcher returns a Matcher for pkts, each a whole IPv4 or IPv6 packet
// as sent; Match returns indexes into pkts. Packets of neither are never
// matched.
func NewMatcher(pkts [][]byte) *Matcher {
	m := newMatcher(len(pkts))
	for i, b := range pkts {
		m.add(i, b)
	}
	return m
}

// newMatcher returns a Matcher for n packets, to be given to add one by
// one: it keeps what matching needs of each, not the packets.
func newMatcher(n int) *Matcher {
	return &Matcher{
		pkts:   make([]sent, n),
		echo:   map[echoKey]int{},
		flows:  map[flowKey][]int{},
		quotes: map[quoteKey][]int{},
	}
}

// add records sent packet i, a whole IPv4 or IPv6 packet b.
func (m *Matcher) add(i int, b []byte) {
	if len(b) > 0 && b[0]>>4 == 6 {
		m.add6(i, b)
		return
	}
	hl, ok := ipv4HeaderLen(b)
	if !ok {
		return
	}
	s := &m.pkts[i]
	s.src = netip.AddrFrom4([4]byte(b[12:16]))
	s.dst = netip.AddrFrom4([4]byte(b[16:20]))
	s.proto = b[9]
	s.ipID = binary.BigEndian.Uint16(b[4:])
	t := b[hl:]
	qk := quoteKey{dst: s.dst, proto: s.proto, n: uint8(min(8, len(t)))}
	copy(qk.b[:], t)
	m.quotes[qk] = append(m.quotes[qk], i)
	if fragment(b) {
		return // only errors answer a fragment
	}
	switch s.proto {
	case 1:
		if len(t) >= 8 {
			if rt, ok := queryReply[t[0]]; ok {
				k := echoKey{peer: s.dst, local: s.src, typ: rt, id: binary.BigEndian.Uint16(t[4:]), seq: binary.BigEndian.Uint16(t[6:])}
				if _, dup := m.echo[k]; !dup {
					m.echo[k] = i
				}
			}
		}
	case 6, 17:
		m.addFlow(i, s, t)
	}
}

// addFlow records sent packet i, a TCP or UDP segment t, by its ports.
func (m *Matcher) addFlow(i int, s *sent, t []byte) {
	if len(t) < 4 {
		return
	}
	sport, dport := binary.BigEndian.Uint16(t), binary.BigEndian.Uint16(t[2:])
	k := flowKey{proto: s.proto, peer: netip.AddrPortFrom(s.dst, dport), local: netip.AddrPortFrom(s.src, sport)}
	m.flows[k] = append(m.flows[k], i)
	if s.proto == 6 && len(t) >= 20 {
		tcpExpect(s, t)
	}
}

// tcpExpect records what a TCP answer to segment t acknowledges (RFC 9293
// 3.4): the sequence number plus the data and the SYN and FIN flags; a RST
// to a segment with ACK set carries that ACK's number as its sequence.
func tcpExpect(s *sent, t []byte) {
	seq := binary.BigEndian.Uint32(t[4:])
	ack := binary.BigEndian.Uint32(t[8:])
	flags := t[13]
	off := int(t[12]>>4) * 4
	n := uint32(max(len(t)-off, 0))
	if flags&0x02 != 0 { // SYN
		n++
	}
	if flags&0x01 != 0 { // FIN
		n++
	}
	s.wantAck = seq + n
	s.hasAck = flags&0x10 != 0
	s.rstSeq = ack
}

func fragment(b []byte) bool {
	return binary.BigEndian.Uint16(b[6:])&0x1fff != 0
}

func ipv4HeaderLen(b []byte) (int, bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return 0, false
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 || hl > len(b) {
		return 0, false
	}
	return hl, true
}

// Match reports which sent packet b, a received IPv4 or IPv6 packet from
// its header on, answers; ok is false when it answers none. A packet matching
// several (the same packet sent twice) is given to the first.
func (m *Matcher) Match(b []byte) (index int, ok bool) {
	if len(b) > 0 && b[0]>>4 == 6 {
		return m.match6(b)
	}
	hl, ok := ipv4HeaderLen(b)
	if !ok || fragment(b) {
		return 0, false
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	t := b[hl:]
	switch b[9] {
	case 1:
		if len(t) < 8 {
			return 0, false
		}
		if icmp.IsErrorType(int(t[0])) {
			return m.matchError(t)
		}
		i, ok := m.echo[echoKey{peer: src, local: dst, typ: t[0], id: binary.BigEndian.Uint16(t[4:]), seq: binary.BigEndian.Uint16(t[6:])}]
		return i, ok
	case 6, 17:
		return m.matchFlow(b[9], src, dst, t)
	}
	return 0, false
}

// matchFlow matches a TCP or UDP segment t from src to dst by ports.
func (m *Matcher) matchFlow(proto uint8, src, dst netip.Addr, t []byte) (int, bool) {
	if len(t) < 4 {
		return 0, false
	}
	sport, dport := binary.BigEndian.Uint16(t), binary.BigEndian.Uint16(t[2:])
	cands := m.flows[flowKey{proto: proto, peer: netip.AddrPortFrom(src, sport), local: netip.AddrPortFrom(dst, dport)}]
	if proto == 17 {
		if len(cands) == 0 {
			return 0, false
		}
		return cands[0], true
	}
	return m.matchTCP(cands, t)
}

// matchTCP picks the segment a TCP answer acknowledges. A segment that
// neither acknowledges nor resets (our own SYN seen on loopback) answers
// nothing.
func (m *Matcher) matchTCP(cands []int, t []byte) (int, bool) {
	if len(t) < 20 {
		return 0, false
	}
	flags := t[13]
	seq, ack := binary.BigEndian.Uint32(t[4:]), binary.BigEndian.Uint32(t[8:])
	for _, i := range cands {
		s := &m.pkts[i]
		switch {
		case flags&0x10 != 0 && ack == s.wantAck:
			return i, true
		case flags&0x14 == 0x04 && s.hasAck && seq == s.rstSeq:
			return i, true
		}
	}
	return 0, false
}

// matchError finds the sent packet an ICMP error quotes: same destination
// and protocol, same leading transport bytes, and the same IP
// identification and source when the quote has them.
func (m *Matcher) matchError(msg []byte) (int, bool) {
	e, err := icmp.ParseError(msg)
	if err != nil {
		return 0, false
	}
	return m.matchQuote(e.Quote)
}

// matchQuote finds the sent packet a quoted datagram is.
func (m *Matcher) matchQuote(q icmp.Quote) (int, bool) {
	k := quoteKey{dst: q.Dst, proto: uint8(q.Protocol)}
	copy(k.b[:], q.Payload)
	for n := min(8, len(q.Payload)); n >= 0; n-- {
		k.n = uint8(n)
		if n < 8 {
			k.b[n] = 0
		}
		for _, i := range m.quotes[k] {
			s := &m.pkts[i]
			if s.ipID != 0 && q.ID >= 0 && q.ID != int(s.ipID) {
				continue
			}
			if s.src.IsValid() && !s.src.IsUnspecified() && q.Src != s.src {
				continue
			}
			return i, true
		}
	}
	return 0, false
}
