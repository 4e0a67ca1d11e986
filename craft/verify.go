package craft

import (
	"encoding/binary"
	"strconv"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/internal/checksum"
)

// ChecksumState says what Decode found out about one checksum.
type ChecksumState uint8

const (
	// ChecksumAbsent: the layer was not decoded, or a UDP sender left the
	// checksum zero, meaning none (RFC 768).
	ChecksumAbsent ChecksumState = iota
	// ChecksumGood: the checksum verifies.
	ChecksumGood
	// ChecksumBad: the checksum does not verify.
	ChecksumBad
	// ChecksumIncomplete: bytes it covers are missing (a truncated capture
	// or a fragment), so it cannot be verified.
	ChecksumIncomplete
)

func (s ChecksumState) String() string {
	switch s {
	case ChecksumAbsent:
		return "absent"
	case ChecksumGood:
		return "good"
	case ChecksumBad:
		return "bad"
	case ChecksumIncomplete:
		return "incomplete"
	}
	return "ChecksumState(" + strconv.Itoa(int(s)) + ")"
}

// Checksum is the verdict on one checksum of a decoded packet.
type Checksum struct {
	State ChecksumState
	Got   uint16 // the value in the packet
	Want  uint16 // the value that verifies, when State is ChecksumGood or ChecksumBad
}

// Valid reports whether the checksum verifies.
func (c Checksum) Valid() bool { return c.State == ChecksumGood }

const (
	sumIPv4 = iota
	sumICMPv4
	sumUDP
	sumTCP
	sumICMPv6
)

// Checksum returns the verdict on the checksum of the last packet's layer
// of type t: layers.LayerTypeIPv4 (header checksum), LayerTypeICMPv4,
// LayerTypeUDP or LayerTypeTCP (with the IPv4 or IPv6 pseudo-header), or
// LayerTypeICMPv6 (with the IPv6 pseudo-header; incomplete when the message
// was decoded alone). Other types, and layers not decoded, give
// ChecksumAbsent.
func (d *Decoder) Checksum(t gopacket.LayerType) Checksum {
	switch t {
	case layers.LayerTypeIPv4:
		return d.sums[sumIPv4]
	case layers.LayerTypeICMPv4:
		return d.sums[sumICMPv4]
	case layers.LayerTypeUDP:
		return d.sums[sumUDP]
	case layers.LayerTypeTCP:
		return d.sums[sumTCP]
	case layers.LayerTypeICMPv6:
		return d.sums[sumICMPv6]
	}
	return Checksum{}
}

// ChecksumsValid reports whether no checksum of the last packet is bad.
// Absent and incomplete checksums do not count against it.
func (d *Decoder) ChecksumsValid() bool {
	for _, c := range d.sums {
		if c.State == ChecksumBad {
			return false
		}
	}
	return true
}

// check verifies the checksum at b[off:off+2], b summed on top of s.
func check(b []byte, s uint64, off int) Checksum {
	got := binary.BigEndian.Uint16(b[off:])
	total := checksum.Sum(b, s)
	c := Checksum{State: ChecksumBad, Got: got, Want: ^checksum.Fold(total + uint64(^got))}
	if ^checksum.Fold(total) == 0 {
		c.State = ChecksumGood
	}
	return c
}

// verify fills d.sums for the layers just decoded.
func (d *Decoder) verify() {
	var ipOK, ip6 bool
	for _, t := range d.decoded {
		if t == layers.LayerTypeIPv6 {
			ip6 = true
			continue
		}
		if ip6 || t == layers.LayerTypeICMPv6 {
			d.verifyV6(t, ip6)
			continue
		}
		switch t {
		case layers.LayerTypeIPv4:
			d.sums[sumIPv4] = check(d.IPv4.Contents, 0, 10)
			ipOK = true
		case layers.LayerTypeICMPv4:
			if !ipOK && d.first == layers.LayerTypeICMPv4 {
				// An ICMP message on its own, as a ping socket reads it:
				// its checksum needs no pseudo-header.
				d.sums[sumICMPv4] = check(d.data, 0, 2)
				break
			}
			d.sums[sumICMPv4] = d.transport(d.IPv4.Payload, 0, 2, ipOK)
		case layers.LayerTypeUDP:
			if !ipOK {
				break
			}
			b := d.IPv4.Payload
			if d.UDP.Checksum == 0 {
				d.sums[sumUDP] = Checksum{State: ChecksumAbsent}
				break
			}
			if n := int(d.UDP.Length); n >= 8 && n <= len(b) {
				b = b[:n]
			}
			d.sums[sumUDP] = d.transport(b, d.pseudo(17, len(b)), 6, ipOK)
		case layers.LayerTypeTCP:
			if !ipOK {
				break
			}
			b := d.IPv4.Payload
			d.sums[sumTCP] = d.transport(b, d.pseudo(6, len(b)), 16, ipOK)
		}
	}
}

// transport verifies a checksum covering the whole IP payload b, unless
// part of it is missing.
func (d *Decoder) transport(b []byte, s uint64, off int, ipOK bool) Checksum {
	frag := d.IPv4.Flags&layers.IPv4MoreFragments != 0 || d.IPv4.FragOffset != 0
	if !ipOK || frag || d.parser.Truncated || len(b) < off+2 {
		c := Checksum{State: ChecksumIncomplete}
		if len(b) >= off+2 {
			c.Got = binary.BigEndian.Uint16(b[off:])
		}
		return c
	}
	return check(b, s, off)
}

func (d *Decoder) pseudo(proto uint8, n int) uint64 {
	return pseudo4(d.IPv4.SrcIP, d.IPv4.DstIP, proto, n)
}
