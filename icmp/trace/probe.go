package trace

import (
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"

	"encoding/binary"
	"net/netip"
)

// Probe layout. A probe is a whole IPv4 or IPv6 packet, sent on a
// header-included raw socket (raw(7); IPV6_HDRINCL for IPv6) so that
// TTL (hop limit), ID and DF are set per packet.
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
	// icmpHeaderLen is an echo request's header: type, code, checksum,
	// identifier and sequence number.
	icmpHeaderLen = 8
	ipv6HeaderLen = 40
)

// probeHeaderLen is the smallest probe of method m.
func probeHeaderLen(m Method, paris, v6 bool) int {
	ip := ipHeaderLen
	if v6 {
		ip = ipv6HeaderLen
	}
	switch m {
	case MethodTCP:
		return ip + tcpHeaderLen
	case MethodICMP:
		n := ip + icmpHeaderLen
		if paris {
			n += parisPad
		}
		return n
	}
	n := ip + udpHeaderLen
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
//   - TCP: the sequence number, seqBase+i; ports fixed. Classic: the
//     source port varies too, sports[i], one reserved per probe; the
//     destination port stays the one asked for, as a SYN to another
//     port would probe another service.
//
// The IP ID is ipID+i in every mode, for captures; it is not used to
// match, as some routers rewrite it. IPv6 has no ID; its flow label,
// which routers hash with the addresses (RFC 6438), is one value for the
// whole trace in both modes.
type prober struct {
	method   Method
	paris    bool
	v6       bool
	flow     uint32 // IPv6 flow label, 20 bits
	src, dst netip.Addr
	sport    uint16 // UDP and TCP source port, reserved by a bound socket
	// sports are the source ports of classic TCP probes, one per probe
	// and each reserved by a bound socket; empty otherwise.
	sports  []uint16
	dport   uint16
	echoID  uint16
	seqBase uint32
	ipID    uint16
	fragID  uint32 // IPv6 Fragment header identification of probe 0
	// tcpData is the payload bytes of each TCP probe, which a RST from
	// a closed port acknowledges with the SYN (RFC 9293 3.10.7.1:
	// ACK=SEG.SEQ+SEG.LEN); 0 in MTU mode, whose sizes vary.
	tcpData uint32
	probes  int // the trace's probes, for the range of an acknowledgment; 0: unchecked
	tos     int
	df      bool
}

// build writes probe i with the given TTL and IP total length into buf
// (grown as needed) and returns it.
func (p *prober) build(buf []byte, i, ttl, size int) []byte {
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	b := buf[:size]
	clear(b)
	if p.v6 {
		p.transport(p.header6(b, ttl), i)
		return b
	}
	b[0] = 0x45
	b[1] = byte(p.tos)
	binary.BigEndian.PutUint16(b[2:], uint16(size))
	binary.BigEndian.PutUint16(b[4:], p.ipID+uint16(i))
	if p.df {
		binary.BigEndian.PutUint16(b[6:], flagDF)
	}
	b[8] = byte(ttl)
	b[9] = byte(p.method.protocol(false))
	src, dst := p.src.As4(), p.dst.As4()
	copy(b[12:16], src[:])
	copy(b[16:20], dst[:])
	binary.BigEndian.PutUint16(b[10:], checksum.Checksum(b[:ipHeaderLen]))
	p.transport(b[ipHeaderLen:], i)
	return b
}

// header6 writes the IPv6 header of a probe (RFC 8200) and returns the
// rest of b: with IPV6_HDRINCL the kernel sends the header as it is.
func (p *prober) header6(b []byte, hlim int) []byte {
	binary.BigEndian.PutUint32(b, 6<<28|uint32(p.tos&0xff)<<20|p.flow&0xfffff)
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)-ipv6HeaderLen))
	b[6] = byte(p.method.protocol(true))
	b[7] = byte(hlim)
	src, dst := p.src.As16(), p.dst.As16()
	copy(b[8:24], src[:])
	copy(b[24:40], dst[:])
	return b[ipv6HeaderLen:]
}

// transport writes probe i's UDP, ICMP or TCP header and payload into t.
func (p *prober) transport(t []byte, i int) {
	switch p.method {
	case MethodUDP:
		p.udp(t, i)
	case MethodICMP:
		p.echo(t, i)
	case MethodTCP:
		p.tcp(t, i)
	}
}

// pseudo is the sum of the pseudo-header the transport checksum covers:
// IPv4's (RFC 768, 793), or IPv6's (RFC 8200 8.1), which ICMPv6 covers
// too.
func (p *prober) pseudo(length int) uint64 {
	return checksum.Pseudo(p.src, p.dst, uint8(p.method.protocol(p.v6)), length)
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
		s := checksum.Fold(checksum.Sum(t, p.pseudo(len(t))))
		want := uint16(i + 1)
		binary.BigEndian.PutUint16(t[udpHeaderLen:], checksum.Fold(uint64(^want)+uint64(^s)))
	}
	c := ^checksum.Fold(checksum.Sum(t, p.pseudo(len(t))))
	if c == 0 {
		c = 0xffff // 0 means "no checksum" in UDP (RFC 768)
	}
	binary.BigEndian.PutUint16(t[6:], c)
}

func (p *prober) echo(t []byte, i int) {
	t[0] = icmp.TypeEcho
	var initial uint64
	if p.v6 {
		t[0], initial = icmp.TypeEchoV6, p.pseudo(len(t))
	}
	binary.BigEndian.PutUint16(t[4:], p.echoID)
	seq := uint16(i + 1)
	binary.BigEndian.PutUint16(t[6:], seq)
	if p.paris {
		// seq + ^seq is 0xffff whatever seq is: the checksum, which
		// routers hash for ICMP flows, is the same for every probe.
		binary.BigEndian.PutUint16(t[icmpHeaderLen:], ^seq)
	}
	binary.BigEndian.PutUint16(t[2:], ^checksum.Fold(checksum.Sum(t, initial)))
}

// tcpSource is probe i's TCP source port: the trace's own in Paris
// mode, the probe's own in classic mode; false for an index no probe
// has.
func (p *prober) tcpSource(i int) (uint16, bool) {
	if len(p.sports) == 0 {
		return p.sport, true
	}
	if i < 0 || i >= len(p.sports) {
		return 0, false
	}
	return p.sports[i], true
}

func (p *prober) tcp(t []byte, i int) {
	sport, _ := p.tcpSource(i)
	binary.BigEndian.PutUint16(t[0:], sport)
	binary.BigEndian.PutUint16(t[2:], p.dport)
	binary.BigEndian.PutUint32(t[4:], p.seqBase+uint32(i))
	t[12] = tcpHeaderLen / 4 << 4
	t[13] = 0x02 // SYN
	binary.BigEndian.PutUint16(t[14:], 64240)
	o := t[20:tcpHeaderLen]
	copy(o, []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10})         // MSS 1460, SACK permitted, timestamps...
	binary.BigEndian.PutUint32(o[8:], p.seqBase+uint32(i)) // ...TSval
	copy(o[16:], []byte{1, 3, 3, 7})                       // NOP, window scale 7
	binary.BigEndian.PutUint16(t[16:], ^checksum.Fold(checksum.Sum(t, p.pseudo(len(t)))))
}
