package craft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/internal/checksum"
)

// The four hot layers are serialized here rather than by their own
// SerializeTo: gopacket's FixLengths and ComputeChecksums are all-or-nothing
// per packet, while a lab needs them per field, and gopacket's IPv4 and TCP
// serializers accept out-of-range values silently (flags wider than 3 bits,
// options over 40 bytes, stale padding in a reused buffer). The bytes are
// the same as gopacket's for every packet gopacket serializes correctly;
// serialize_test.go holds that.

const maxIPv4Len = 65535

// netCtx is the IP header a transport layer's checksum is computed against:
// an IPv4 header, or an IPv6 one with the final destination of a routing
// header between them, if any.
type netCtx struct {
	ip   *layers.IPv4
	keep Field
	ip6  *layers.IPv6
	dst6 net.IP
}

// pseudoSum returns the pseudo-header sum for a transport message of n
// bytes. When the IPv4 total length is kept as set, the pseudo-header's
// length is derived from it, as receivers (and scapy) derive it.
func (c netCtx) pseudoSum(proto uint8, n int, layer string) (uint64, error) {
	if c.ip6 != nil {
		return c.pseudoSum6(proto, n)
	}
	if c.ip == nil {
		return 0, fmt.Errorf("craft: %s checksum needs an IPv4 or IPv6 layer before it (or keep %sChecksum)", layer, layer)
	}
	src, err := addr4(c.ip.SrcIP, "source")
	if err != nil {
		return 0, err
	}
	dst, err := addr4(c.ip.DstIP, "destination")
	if err != nil {
		return 0, err
	}
	if c.keep&IPv4Length != 0 {
		ihl := int(c.ip.IHL)
		if c.keep&IPv4IHL == 0 {
			optLen, _ := ipv4OptionsLen(c.ip.Options)
			ihl = 5 + (optLen+3)/4
		}
		n = max(int(c.ip.Length)-4*ihl, 0)
	}
	return pseudo4(src, dst, proto, n), nil
}

// pseudo4 returns the sum of the IPv4 pseudo-header (RFC 768, RFC 793) of
// 4-byte addresses: source, destination, protocol and transport length.
func pseudo4(src, dst net.IP, proto uint8, n int) uint64 {
	return checksum.Pseudo(netip.AddrFrom4([4]byte(src)), netip.AddrFrom4([4]byte(dst)), proto, n)
}

func addr4(a net.IP, what string) (net.IP, error) {
	if a == nil {
		return nil, fmt.Errorf("craft: IPv4 %s address not set", what)
	}
	if v4 := a.To4(); v4 != nil {
		return v4, nil
	}
	return nil, fmt.Errorf("craft: IPv4 %s address %v is not an IPv4 address", what, a)
}

// ipv4OptionsLen returns the length of the options before padding.
func ipv4OptionsLen(opts []layers.IPv4Option) (int, error) {
	n := 0
	for i, o := range opts {
		switch o.OptionType {
		case 0, 1: // end of list, no-operation: one byte (RFC 791)
			if len(o.OptionData) != 0 {
				return 0, fmt.Errorf("craft: IPv4 option %d (type %d) is one byte and carries no data, got %d bytes", i, o.OptionType, len(o.OptionData))
			}
			n++
		default:
			if len(o.OptionData) > 38 {
				return 0, fmt.Errorf("craft: IPv4 option %d (type %d) has %d data bytes, more than 38", i, o.OptionType, len(o.OptionData))
			}
			n += 2 + len(o.OptionData)
		}
	}
	return n, nil
}

func putIPv4(buf gopacket.SerializeBuffer, ip *layers.IPv4, keep Field, next gopacket.LayerType) error {
	if ip == nil {
		return errors.New("craft: nil IPv4 layer")
	}
	optLen, err := ipv4OptionsLen(ip.Options)
	if err != nil {
		return err
	}
	hlen := 20 + (optLen+3)&^3
	if hlen > 60 {
		return fmt.Errorf("craft: IPv4 options take %d bytes, more than 40", optLen)
	}
	total := hlen + len(buf.Bytes())
	if total > maxIPv4Len {
		return fmt.Errorf("craft: IPv4 packet of %d bytes is longer than %d", total, maxIPv4Len)
	}
	if err := checkIPv4Fields(ip, keep); err != nil {
		return err
	}
	src, err := addr4(ip.SrcIP, "source")
	if err != nil {
		return err
	}
	dst, err := addr4(ip.DstIP, "destination")
	if err != nil {
		return err
	}
	ip.SrcIP, ip.DstIP = src, dst
	if keep&IPv4Version == 0 {
		ip.Version = 4
	}
	if keep&IPv4IHL == 0 {
		ip.IHL = uint8(hlen / 4)
	}
	if keep&IPv4Length == 0 {
		ip.Length = uint16(total)
	}
	if keep&IPv4Protocol == 0 {
		if p, ok := protocolOf(next); ok {
			ip.Protocol = p
		}
	}
	b, err := buf.PrependBytes(hlen)
	if err != nil {
		return err
	}
	b[0] = ip.Version<<4 | ip.IHL
	b[1] = ip.TOS
	binary.BigEndian.PutUint16(b[2:], ip.Length)
	binary.BigEndian.PutUint16(b[4:], ip.Id)
	binary.BigEndian.PutUint16(b[6:], uint16(ip.Flags)<<13|ip.FragOffset)
	b[8] = ip.TTL
	b[9] = byte(ip.Protocol)
	b[10], b[11] = 0, 0
	copy(b[12:16], src)
	copy(b[16:20], dst)
	writeIPv4Options(b[20:], ip.Options, keep)
	if keep&IPv4Checksum == 0 {
		// Over the header as IHL describes it, bounded by what was
		// written: a kept IHL that lies still gets the checksum a receiver
		// reading that IHL computes.
		n := min(4*int(ip.IHL), hlen)
		ip.Checksum = checksum.Checksum(b[:n])
	}
	binary.BigEndian.PutUint16(b[10:], ip.Checksum)
	return nil
}

func checkIPv4Fields(ip *layers.IPv4, keep Field) error {
	if keep&IPv4Version != 0 && ip.Version > 15 {
		return fmt.Errorf("craft: IPv4 version %d out of range 0-15", ip.Version)
	}
	if keep&IPv4IHL != 0 && ip.IHL > 15 {
		return fmt.Errorf("craft: IPv4 IHL %d out of range 0-15", ip.IHL)
	}
	if ip.Flags > 7 {
		return fmt.Errorf("craft: IPv4 flags %#x out of range 0-7", uint8(ip.Flags))
	}
	if ip.FragOffset > 0x1fff {
		return fmt.Errorf("craft: IPv4 fragment offset %d out of range 0-8191", ip.FragOffset)
	}
	return nil
}

// writeIPv4Options writes the options and zero padding (end of list) into b,
// which is exactly as long as the padded options.
func writeIPv4Options(b []byte, opts []layers.IPv4Option, keep Field) {
	i := 0
	for k := range opts {
		o := &opts[k]
		b[i] = o.OptionType
		if o.OptionType <= 1 {
			o.OptionLength = 1
			i++
			continue
		}
		if keep&IPv4OptionLengths == 0 {
			o.OptionLength = uint8(2 + len(o.OptionData))
		}
		b[i+1] = o.OptionLength
		i += 2 + copy(b[i+2:], o.OptionData)
	}
	clear(b[i:])
}

func protocolOf(t gopacket.LayerType) (layers.IPProtocol, bool) {
	switch t {
	case layers.LayerTypeICMPv4:
		return layers.IPProtocolICMPv4, true
	case layers.LayerTypeUDP:
		return layers.IPProtocolUDP, true
	case layers.LayerTypeTCP:
		return layers.IPProtocolTCP, true
	case layers.LayerTypeIPv4:
		return layers.IPProtocolIPv4, true
	case layers.LayerTypeIPv6:
		return layers.IPProtocolIPv6, true
	case layers.LayerTypeICMPv6:
		return layers.IPProtocolICMPv6, true
	case layers.LayerTypeIPv6HopByHop:
		return layers.IPProtocolIPv6HopByHop, true
	case layers.LayerTypeIPv6Routing:
		return layers.IPProtocolIPv6Routing, true
	case layers.LayerTypeIPv6Fragment:
		return layers.IPProtocolIPv6Fragment, true
	case layers.LayerTypeIPv6Destination:
		return layers.IPProtocolIPv6Destination, true
	}
	return 0, false
}

func putICMPv4(buf gopacket.SerializeBuffer, ic *layers.ICMPv4, keep Field) error {
	if ic == nil {
		return errors.New("craft: nil ICMPv4 layer")
	}
	b, err := buf.PrependBytes(8)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b[0:], uint16(ic.TypeCode))
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[4:], ic.Id)
	binary.BigEndian.PutUint16(b[6:], ic.Seq)
	if keep&ICMPv4Checksum == 0 {
		ic.Checksum = checksum.Checksum(buf.Bytes())
	}
	binary.BigEndian.PutUint16(b[2:], ic.Checksum)
	return nil
}

func putUDP(buf gopacket.SerializeBuffer, u *layers.UDP, keep Field, nc netCtx) error {
	if u == nil {
		return errors.New("craft: nil UDP layer")
	}
	n := 8 + len(buf.Bytes())
	if keep&UDPLength == 0 {
		if n > maxIPv4Len {
			return fmt.Errorf("craft: UDP datagram of %d bytes is longer than %d", n, maxIPv4Len)
		}
		u.Length = uint16(n)
	}
	var ps uint64
	if keep&UDPChecksum == 0 {
		var err error
		if ps, err = nc.pseudoSum(uint8(layers.IPProtocolUDP), n, "UDP"); err != nil {
			return err
		}
	}
	b, err := buf.PrependBytes(8)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b[0:], uint16(u.SrcPort))
	binary.BigEndian.PutUint16(b[2:], uint16(u.DstPort))
	binary.BigEndian.PutUint16(b[4:], u.Length)
	b[6], b[7] = 0, 0
	if keep&UDPChecksum == 0 {
		u.Checksum = ^checksum.Fold(checksum.Sum(buf.Bytes(), ps))
		if u.Checksum == 0 {
			u.Checksum = 0xffff // zero means "no checksum" (RFC 768)
		}
	}
	binary.BigEndian.PutUint16(b[6:], u.Checksum)
	return nil
}
