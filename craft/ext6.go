package craft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// IPv6 extension headers (RFC 8200 section 4). gopacket decodes them but
// serializes only some, and none with per-field control, so craft has its
// own layers for building them. Each reports gopacket's layer type, and
// NextHeader is computed from the layer after it unless IPv6NextHeader is
// kept; HeaderLength (in 8-octet units, not counting the first) and the
// padding to a multiple of 8 bytes are computed unless IPv6ExtLength is.

// IPv6Option is one option of a hop-by-hop or destination options header:
// type, length (computed as len(Data) unless IPv6OptionLengths is kept) and
// data. Type 0 (Pad1) is one byte with no length or data.
type IPv6Option struct {
	Type   uint8
	Length uint8
	Data   []byte
}

// IPv6HopByHop is a hop-by-hop options header (next header 0), RFC 8200
// section 4.3, scapy's IPv6ExtHdrHopByHop. The options are written in
// order, then padded with Pad1 or PadN to a multiple of 8 bytes.
type IPv6HopByHop struct {
	NextHeader   layers.IPProtocol
	HeaderLength uint8
	Options      []IPv6Option
}

// IPv6Destination is a destination options header (next header 60), RFC
// 8200 section 4.6, scapy's IPv6ExtHdrDestOpt. It is written as
// IPv6HopByHop is.
type IPv6Destination IPv6HopByHop

// IPv6Routing is a routing header (next header 43), RFC 8200 section 4.4,
// scapy's IPv6ExtHdrRouting. Addresses follow the 4 reserved bytes, as
// type 0 (RFC 2460, deprecated by RFC 5095) and type 2 (RFC 6275) lay them
// out; Data, if any, follows them, for other types. SegmentsLeft is written
// as set.
type IPv6Routing struct {
	NextHeader   layers.IPProtocol
	HeaderLength uint8
	RoutingType  uint8
	SegmentsLeft uint8
	Reserved     uint32
	Addresses    []net.IP
	Data         []byte
}

// IPv6Fragment is a fragment header (next header 44), RFC 8200 section
// 4.5, scapy's IPv6ExtHdrFragment. It has no length; Offset is in 8-octet
// units (0-8191) and Reserved2 is the two bits before M (0-3).
type IPv6Fragment struct {
	NextHeader     layers.IPProtocol
	Reserved       uint8
	Offset         uint16
	Reserved2      uint8
	MoreFragments  bool
	Identification uint32
}

// LayerType returns layers.LayerTypeIPv6HopByHop.
func (*IPv6HopByHop) LayerType() gopacket.LayerType { return layers.LayerTypeIPv6HopByHop }

// LayerType returns layers.LayerTypeIPv6Destination.
func (*IPv6Destination) LayerType() gopacket.LayerType { return layers.LayerTypeIPv6Destination }

// LayerType returns layers.LayerTypeIPv6Routing.
func (*IPv6Routing) LayerType() gopacket.LayerType { return layers.LayerTypeIPv6Routing }

// LayerType returns layers.LayerTypeIPv6Fragment.
func (*IPv6Fragment) LayerType() gopacket.LayerType { return layers.LayerTypeIPv6Fragment }

// SerializeTo writes the header with its lengths computed; the next header
// is written as set, since a lone layer does not know what follows it.
func (h *IPv6HopByHop) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	return putIPv6Options(b, h, IPv6NextHeader, gopacket.LayerTypeZero)
}

// SerializeTo writes the header as IPv6HopByHop.SerializeTo does.
func (h *IPv6Destination) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	return putIPv6Options(b, (*IPv6HopByHop)(h), IPv6NextHeader, gopacket.LayerTypeZero)
}

// SerializeTo writes the header as IPv6HopByHop.SerializeTo does.
func (h *IPv6Routing) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	return putIPv6Routing(b, h, IPv6NextHeader, gopacket.LayerTypeZero)
}

// SerializeTo writes the header as IPv6HopByHop.SerializeTo does.
func (h *IPv6Fragment) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	return putIPv6Fragment(b, h, IPv6NextHeader, gopacket.LayerTypeZero)
}

func extLen(n int, keep Field, set uint8, what string) (int, uint8, error) {
	total := (n + 7) &^ 7
	if total > 2048 {
		return 0, 0, fmt.Errorf("craft: IPv6 %s header of %d bytes is longer than 2048", what, total)
	}
	if keep&IPv6ExtLength != 0 {
		return total, set, nil
	}
	return total, uint8(total/8 - 1), nil
}

func putIPv6Options(buf gopacket.SerializeBuffer, h *IPv6HopByHop, keep Field, next gopacket.LayerType) error {
	if h == nil {
		return errors.New("craft: nil IPv6 options header")
	}
	n := 2
	for _, o := range h.Options {
		if o.Type == 0 {
			n++
			continue
		}
		if len(o.Data) > 255 {
			return fmt.Errorf("craft: IPv6 option type %d has %d data bytes, more than 255", o.Type, len(o.Data))
		}
		n += 2 + len(o.Data)
	}
	total, hl, err := extLen(n, keep, h.HeaderLength, "options")
	if err != nil {
		return err
	}
	h.HeaderLength = hl
	nextHeader(&h.NextHeader, keep, next)
	b, err := buf.PrependBytes(total)
	if err != nil {
		return err
	}
	b[0], b[1] = byte(h.NextHeader), h.HeaderLength
	i := 2
	for k := range h.Options {
		o := &h.Options[k]
		b[i] = o.Type
		if o.Type == 0 {
			i++
			continue
		}
		if keep&IPv6OptionLengths == 0 {
			o.Length = uint8(len(o.Data))
		}
		b[i+1] = o.Length
		i += 2 + copy(b[i+2:], o.Data)
	}
	putPad(b[i:])
	return nil
}

// putPad fills b with Pad1 (one byte) or PadN (RFC 8200 section 4.2).
func putPad(b []byte) {
	switch len(b) {
	case 0:
	case 1:
		b[0] = 0
	default:
		b[0], b[1] = 1, byte(len(b)-2)
		clear(b[2:])
	}
}

func putIPv6Routing(buf gopacket.SerializeBuffer, h *IPv6Routing, keep Field, next gopacket.LayerType) error {
	if h == nil {
		return errors.New("craft: nil IPv6 routing header")
	}
	for i, a := range h.Addresses {
		if _, err := addr6(a, fmt.Sprintf("routing address %d", i)); err != nil {
			return err
		}
	}
	total, hl, err := extLen(8+16*len(h.Addresses)+len(h.Data), keep, h.HeaderLength, "routing")
	if err != nil {
		return err
	}
	h.HeaderLength = hl
	nextHeader(&h.NextHeader, keep, next)
	b, err := buf.PrependBytes(total)
	if err != nil {
		return err
	}
	b[0], b[1], b[2], b[3] = byte(h.NextHeader), h.HeaderLength, h.RoutingType, h.SegmentsLeft
	binary.BigEndian.PutUint32(b[4:], h.Reserved)
	i := 8
	for _, a := range h.Addresses {
		i += copy(b[i:], a.To16())
	}
	i += copy(b[i:], h.Data)
	clear(b[i:])
	return nil
}

func putIPv6Fragment(buf gopacket.SerializeBuffer, h *IPv6Fragment, keep Field, next gopacket.LayerType) error {
	if h == nil {
		return errors.New("craft: nil IPv6 fragment header")
	}
	if h.Offset > 0x1fff {
		return fmt.Errorf("craft: IPv6 fragment offset %d out of range 0-8191", h.Offset)
	}
	if h.Reserved2 > 3 {
		return fmt.Errorf("craft: IPv6 fragment reserved bits %d out of range 0-3", h.Reserved2)
	}
	nextHeader(&h.NextHeader, keep, next)
	b, err := buf.PrependBytes(8)
	if err != nil {
		return err
	}
	b[0], b[1] = byte(h.NextHeader), h.Reserved
	f := h.Offset<<3 | uint16(h.Reserved2)<<1
	if h.MoreFragments {
		f |= 1
	}
	binary.BigEndian.PutUint16(b[2:], f)
	binary.BigEndian.PutUint32(b[4:], h.Identification)
	return nil
}

// nextHeader sets *nh from the next layer's type unless it is kept or the
// next layer is not one craft knows the number of.
func nextHeader(nh *layers.IPProtocol, keep Field, next gopacket.LayerType) {
	if keep&IPv6NextHeader != 0 {
		return
	}
	if p, ok := protocolOf(next); ok {
		*nh = p
	} else if next == gopacket.LayerTypePayload || next == gopacket.LayerTypeZero {
		*nh = layers.IPProtocolNoNextHeader
	}
}
