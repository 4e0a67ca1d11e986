package icmp

import (
	"encoding/binary"
	"net/netip"
)

// Probe layout. A probe is a whole IPv4 packet, sent on a header-included
// raw socket (raw(7)) so that TTL, ID and DF are set per packet.
const (
	ipHeaderLen  = 20
	udpHeaderLen = 8
	// tcpHeaderLen is a SYN with the options Linux sends (MSS, SACK
	// permitted, timestamps, window scale), as traceroute -T does.
	tcpHeaderLen = 40
	// parisPad is the payload bytes Paris mode sets so that the flow's
	// checksum (ICMP) or the probe's identity (UDP) comes out as wanted.
	parisPad = 2
	flagDF   = 0x4000
)

// probeHeaderLen is the smallest probe of method m.
func probeHeaderLen(m Method, paris bool) int {
	switch m {
	case MethodTCP:
		return ipHeaderLen + tcpHeaderLen
	case MethodICMP:
		n := ipHeaderLen + echoHeaderLen
		if paris {
			n += parisPad
		}
		return n
	}
	n := ipHeaderLen + udpHeaderLen
	if paris {
		n += parisPad
	}
	return n
}

// prober builds the probes of one trace and tells which probe an answer
// is for. Probe i (from 0) carries its identity in a field routers do
// not hash and quote back unchanged:
//
//   - UDP, Paris: the UDP checksum, made i+1 by two payload bytes; ports
//     fixed. Classic: the destination port, Port+i.
//   - ICMP: the echo sequence number, i+1; in Paris mode two payload
//     bytes cancel it out of the checksum, so the checksum is fixed too.
//   - TCP: the sequence number, seqBase+i; ports fixed.
//
// The IP ID is ipID+i in every mode, for captures; it is not used to
// match, as some routers rewrite it.
type prober struct {
	method   Method
	paris    bool
	src, dst netip.Addr
	sport    uint16 // UDP and TCP source port, reserved by a bound socket
	dport    uint16
	echoID   uint16
	seqBase  uint32
	ipID     uint16
	tos      int
	df       bool
}

// build writes probe i with the given TTL and IP total length into buf
// (grown as needed) and returns it.
func (p *prober) build(buf []byte, i, ttl, size int) []byte {
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	b := buf[:size]
	clear(b)
	b[0] = 0x45
	b[1] = byte(p.tos)
	binary.BigEndian.PutUint16(b[2:], uint16(size))
	binary.BigEndian.PutUint16(b[4:], p.ipID+uint16(i))
	if p.df {
		binary.BigEndian.PutUint16(b[6:], flagDF)
	}
	b[8] = byte(ttl)
	b[9] = byte(p.method.protocol())
	src, dst := p.src.As4(), p.dst.As4()
	copy(b[12:16], src[:])
	copy(b[16:20], dst[:])
	binary.BigEndian.PutUint16(b[10:], checksum(b[:ipHeaderLen], 0))
	t := b[ipHeaderLen:]
	switch p.method {
	case MethodUDP:
		p.udp(t, i)
	case MethodICMP:
		p.echo(t, i)
	case MethodTCP:
		p.tcp(t, i)
	}
	return b
}

func (p *prober) pseudo(length int) uint32 {
	s, d := p.src.As4(), p.dst.As4()
	return sum16(s[:], sum16(d[:], uint32(p.method.protocol())+uint32(length)))
}

func (p *prober) udp(t []byte, i int) {
	binary.BigEndian.PutUint16(t[0:], p.sport)
	dport := p.dport
	if !p.paris {
		dport += uint16(i)
	}
	binary.BigEndian.PutUint16(t[2:], dport)
	binary.BigEndian.PutUint16(t[4:], uint16(len(t)))
	if p.paris {
		// Make the checksum i+1: with the pad zero the folded sum is s;
		// the checksum is ^(s + pad), so pad = ^(i+1) - s in ones'
		// complement arithmetic (RFC 1071).
		s := fold(sum16(t, p.pseudo(len(t))))
		want := uint16(i + 1)
		binary.BigEndian.PutUint16(t[udpHeaderLen:], fold(uint32(^want)+uint32(^s)))
	}
	c := checksum(t, p.pseudo(len(t)))
	if c == 0 {
		c = 0xffff // 0 means "no checksum" in UDP (RFC 768)
	}
	binary.BigEndian.PutUint16(t[6:], c)
}

func (p *prober) echo(t []byte, i int) {
	t[0] = TypeEcho
	binary.BigEndian.PutUint16(t[4:], p.echoID)
	seq := uint16(i + 1)
	binary.BigEndian.PutUint16(t[6:], seq)
	if p.paris {
		// seq + ^seq is 0xffff whatever seq is: the checksum, which
		// routers hash for ICMP flows, is the same for every probe.
		binary.BigEndian.PutUint16(t[echoHeaderLen:], ^seq)
	}
	binary.BigEndian.PutUint16(t[2:], checksum(t, 0))
}

func (p *prober) tcp(t []byte, i int) {
	binary.BigEndian.PutUint16(t[0:], p.sport)
	binary.BigEndian.PutUint16(t[2:], p.dport)
	binary.BigEndian.PutUint32(t[4:], p.seqBase+uint32(i))
	t[12] = tcpHeaderLen / 4 << 4
	t[13] = 0x02 // SYN
	binary.BigEndian.PutUint16(t[14:], 64240)
	o := t[20:tcpHeaderLen]
	copy(o, []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10})         // MSS 1460, SACK permitted, timestamps...
	binary.BigEndian.PutUint32(o[8:], p.seqBase+uint32(i)) // ...TSval
	copy(o[16:], []byte{1, 3, 3, 7})                       // NOP, window scale 7
	binary.BigEndian.PutUint16(t[16:], checksum(t, p.pseudo(len(t))))
}

// sum16 adds b as big-endian 16-bit words to s (RFC 1071).
func sum16(b []byte, s uint32) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// fold reduces a sum to 16 bits with end-around carries.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// checksum is the Internet checksum of b with a starting sum.
func checksum(b []byte, initial uint32) uint16 { return ^fold(sum16(b, initial)) }
