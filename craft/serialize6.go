package craft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/internal/checksum"
)

// IPv6 (RFC 8200) and ICMPv6 (RFC 4443) serialization, with the same
// per-field control as IPv4's. The payload length counts everything after
// the fixed 40-byte header, extension headers included, and is limited to
// 65,535 bytes (no jumbograms).

// addr6 returns a as a 16-byte IPv6 address. A 4-byte IPv4 address is an
// error rather than silently becoming ::ffff:a.b.c.d.
func addr6(a net.IP, what string) (net.IP, error) {
	if a == nil {
		return nil, fmt.Errorf("craft: IPv6 %s address not set", what)
	}
	if len(a) != net.IPv6len {
		return nil, fmt.Errorf("craft: IPv6 %s address %v is not an IPv6 address", what, a)
	}
	return a, nil
}

func putIPv6(buf gopacket.SerializeBuffer, ip *layers.IPv6, keep Field, next gopacket.LayerType) error {
	if ip == nil {
		return errors.New("craft: nil IPv6 layer")
	}
	n := len(buf.Bytes())
	if n > 0xffff {
		return fmt.Errorf("craft: IPv6 payload of %d bytes is longer than 65535", n)
	}
	if keep&IPv6Version != 0 && ip.Version > 15 {
		return fmt.Errorf("craft: IPv6 version %d out of range 0-15", ip.Version)
	}
	if ip.FlowLabel > 0xfffff {
		return fmt.Errorf("craft: IPv6 flow label %#x out of range 0-0xfffff", ip.FlowLabel)
	}
	src, err := addr6(ip.SrcIP, "source")
	if err != nil {
		return err
	}
	dst, err := addr6(ip.DstIP, "destination")
	if err != nil {
		return err
	}
	if keep&IPv6Version == 0 {
		ip.Version = 6
	}
	if keep&IPv6Length == 0 {
		ip.Length = uint16(n)
	}
	nextHeader(&ip.NextHeader, keep, next)
	b, err := buf.PrependBytes(40)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint32(b[0:], uint32(ip.Version)<<28|uint32(ip.TrafficClass)<<20|ip.FlowLabel)
	binary.BigEndian.PutUint16(b[4:], ip.Length)
	b[6], b[7] = byte(ip.NextHeader), ip.HopLimit
	copy(b[8:24], src)
	copy(b[24:40], dst)
	return nil
}

// pseudoSum6 returns the IPv6 pseudo-header sum (RFC 8200 section 8.1):
// source, final destination, upper-layer length and next header.
func (c netCtx) pseudoSum6(proto uint8, n int) (uint64, error) {
	src, err := addr6(c.ip6.SrcIP, "source")
	if err != nil {
		return 0, err
	}
	dst := c.dst6
	if dst == nil {
		dst = c.ip6.DstIP
	}
	if dst, err = addr6(dst, "destination"); err != nil {
		return 0, err
	}
	return pseudo6(src, dst, proto, n), nil
}

func pseudo6(src, dst []byte, proto uint8, n int) uint64 {
	return checksum.Sum(dst, checksum.Sum(src, 0)) + uint64(n) + uint64(proto)
}

func putICMPv6(buf gopacket.SerializeBuffer, ic *layers.ICMPv6, keep Field, nc netCtx) error {
	if ic == nil {
		return errors.New("craft: nil ICMPv6 layer")
	}
	var ps uint64
	if keep&ICMPv6Checksum == 0 {
		if nc.ip6 == nil {
			return errors.New("craft: ICMPv6 checksum needs an IPv6 layer before it (or keep ICMPv6Checksum)")
		}
		var err error
		if ps, err = nc.pseudoSum6(uint8(layers.IPProtocolICMPv6), 4+len(buf.Bytes())); err != nil {
			return err
		}
	}
	b, err := buf.PrependBytes(4)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b[0:], uint16(ic.TypeCode))
	b[2], b[3] = 0, 0
	if keep&ICMPv6Checksum == 0 {
		ic.Checksum = ^checksum.Fold(checksum.Sum(buf.Bytes(), ps))
	}
	binary.BigEndian.PutUint16(b[2:], ic.Checksum)
	return nil
}

func putICMPv6Echo(buf gopacket.SerializeBuffer, e *layers.ICMPv6Echo) error {
	if e == nil {
		return errors.New("craft: nil ICMPv6Echo layer")
	}
	b, err := buf.PrependBytes(4)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b[0:], e.Identifier)
	binary.BigEndian.PutUint16(b[2:], e.SeqNumber)
	return nil
}
