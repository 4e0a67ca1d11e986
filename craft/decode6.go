package craft

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// IPv6 decoding. gopacket's IPv6 layer folds a hop-by-hop header into
// itself, allocating its options, and its routing and fragment layers
// cannot be decoded in place; craft walks the fixed header and each
// extension header itself, in place, so that decoding allocates nothing.

// IPv6ExtHeader is an extension header of a decoded IPv6 packet.
type IPv6ExtHeader struct {
	Type       layers.IPProtocol // 0 (hop-by-hop), 43 (routing), 44 (fragment) or 60 (destination options)
	NextHeader layers.IPProtocol
	Contents   []byte // the whole header, aliasing the packet
}

// maxIPv6Ext bounds the extension headers decoded in one packet.
const maxIPv6Ext = 8

// decoder6 is the IPv6 state of a Decoder.
type decoder6 struct {
	ext      [maxIPv6Ext]IPv6ExtHeader
	nExt     int
	fragOff  uint16 // from a fragment header
	fragMore bool
	final    []byte // the routing header's final destination, if any
	upper    []byte // the bytes after the last extension header
}

// IPv6Extensions returns the extension headers of the last packet, in
// order. The slice is valid until the next Decode.
func (d *Decoder) IPv6Extensions() []IPv6ExtHeader { return d.v6.ext[:d.v6.nExt] }

// IPv6Fragment returns the fragment offset (in 8-octet units) and M flag
// of the last packet's fragment header, and whether it had one.
func (d *Decoder) IPv6Fragment() (offset uint16, more, ok bool) {
	for _, e := range d.IPv6Extensions() {
		if e.Type == layers.IPProtocolIPv6Fragment {
			return d.v6.fragOff, d.v6.fragMore, true
		}
	}
	return 0, false, false
}

// nextLayer6 returns the layer a next header value leads to, stopping at a
// fragment that is not the first.
func (v *decoder6) nextLayer6(nh layers.IPProtocol) gopacket.LayerType {
	if v.fragOff != 0 {
		return gopacket.LayerTypeFragment
	}
	switch nh {
	case layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing,
		layers.IPProtocolIPv6Fragment, layers.IPProtocolIPv6Destination,
		layers.IPProtocolICMPv6, layers.IPProtocolUDP, layers.IPProtocolTCP:
		return nh.LayerType()
	}
	return gopacket.LayerTypePayload
}

// ipv6Decoder decodes the fixed 40-byte header into Decoder.IPv6.
type ipv6Decoder struct{ d *Decoder }

func (ipv6Decoder) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6 }

func (x ipv6Decoder) NextLayerType() gopacket.LayerType {
	return x.d.v6.nextLayer6(x.d.IPv6.NextHeader)
}

func (x ipv6Decoder) LayerPayload() []byte { return x.d.IPv6.Payload }

func (x ipv6Decoder) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	ip, v := &x.d.IPv6, &x.d.v6
	*v = decoder6{}
	if len(data) < 40 {
		df.SetTruncated()
		return fmt.Errorf("IPv6 header of %d bytes, fewer than 40", len(data))
	}
	w := binary.BigEndian.Uint32(data)
	ip.Version = uint8(w >> 28)
	ip.TrafficClass = uint8(w >> 20)
	ip.FlowLabel = w & 0xfffff
	ip.Length = binary.BigEndian.Uint16(data[4:])
	ip.NextHeader = layers.IPProtocol(data[6])
	ip.HopLimit = data[7]
	ip.SrcIP, ip.DstIP = data[8:24], data[24:40]
	ip.HopByHop = nil
	end := 40 + int(ip.Length)
	if end > len(data) {
		df.SetTruncated()
		end = len(data)
	}
	ip.BaseLayer = layers.BaseLayer{Contents: data[:40], Payload: data[40:end]}
	v.upper = ip.Payload
	return nil
}

// ipv6ExtDecoder decodes one extension header of type typ.
type ipv6ExtDecoder struct {
	d   *Decoder
	typ layers.IPProtocol
	bl  *layers.BaseLayer
}

func (x ipv6ExtDecoder) CanDecode() gopacket.LayerClass { return x.typ.LayerType() }

func (x ipv6ExtDecoder) NextLayerType() gopacket.LayerType {
	v := &x.d.v6
	return v.nextLayer6(v.ext[v.nExt-1].NextHeader)
}

func (x ipv6ExtDecoder) LayerPayload() []byte { return x.bl.Payload }

var errTooManyExt = errors.New("more than 8 IPv6 extension headers")

func (x ipv6ExtDecoder) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	v := &x.d.v6
	if v.nExt == maxIPv6Ext {
		return errTooManyExt
	}
	n := 8
	if len(data) >= 2 && x.typ != layers.IPProtocolIPv6Fragment {
		n = 8 * (int(data[1]) + 1)
	}
	if len(data) < n {
		df.SetTruncated()
		return fmt.Errorf("IPv6 %v header of %d bytes, %d captured", x.typ, n, len(data))
	}
	v.ext[v.nExt] = IPv6ExtHeader{Type: x.typ, NextHeader: layers.IPProtocol(data[0]), Contents: data[:n]}
	v.nExt++
	switch x.typ {
	case layers.IPProtocolIPv6Fragment:
		f := binary.BigEndian.Uint16(data[2:])
		v.fragOff, v.fragMore = f>>3, f&1 != 0
	case layers.IPProtocolIPv6Routing:
		// Types 0 and 2 list addresses after 4 reserved bytes; with
		// segments left, the last is the final destination (RFC 8200
		// section 8.1).
		if (data[2] == 0 || data[2] == 2) && data[3] > 0 && n >= 24 {
			v.final = data[n-16 : n]
		}
	}
	*x.bl = layers.BaseLayer{Contents: data[:n], Payload: data[n:]}
	v.upper = data[n:]
	return nil
}

// icmpv6Decoder decodes the ICMPv6 header; an echo's identifier and
// sequence follow as ICMPv6Echo, any other body is Payload.
type icmpv6Decoder struct{ *layers.ICMPv6 }

func (i icmpv6Decoder) NextLayerType() gopacket.LayerType {
	switch i.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		return layers.LayerTypeICMPv6Echo
	}
	return gopacket.LayerTypePayload
}

// icmpv6EchoDecoder sets the payload, which gopacket's ICMPv6Echo leaves
// unset.
type icmpv6EchoDecoder struct{ *layers.ICMPv6Echo }

func (e icmpv6EchoDecoder) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := e.ICMPv6Echo.DecodeFromBytes(data, df); err != nil {
		return err
	}
	e.BaseLayer = layers.BaseLayer{Contents: data[:4], Payload: data[4:]}
	return nil
}

// verify6 gives the verdict on a checksum at off in the upper-layer bytes
// b of an IPv6 packet, with the pseudo-header for proto.
func (d *Decoder) verify6(b []byte, proto uint8, off int) Checksum {
	v := &d.v6
	if v.fragOff != 0 || v.fragMore || d.parser.Truncated || len(b) < off+2 {
		c := Checksum{State: ChecksumIncomplete}
		if len(b) >= off+2 {
			c.Got = binary.BigEndian.Uint16(b[off:])
		}
		return c
	}
	dst := []byte(d.IPv6.DstIP)
	if v.final != nil {
		dst = v.final
	}
	return check(b, pseudo6(d.IPv6.SrcIP, dst, proto, len(b)), off)
}

// verifyV6 fills d.sums for an IPv6 packet; ok is false when an ICMPv6
// message was read alone, as a ping socket reads it, and its checksum,
// which covers a pseudo-header, cannot be checked.
func (d *Decoder) verifyV6(t gopacket.LayerType, ok bool) {
	b := d.v6.upper
	switch t {
	case layers.LayerTypeICMPv6:
		if !ok {
			d.sums[sumICMPv6] = Checksum{State: ChecksumIncomplete, Got: d.ICMPv6.Checksum}
			return
		}
		d.sums[sumICMPv6] = d.verify6(b, 58, 2)
	case layers.LayerTypeUDP:
		if n := int(d.UDP.Length); n >= 8 && n <= len(b) {
			b = b[:n]
		}
		d.sums[sumUDP] = d.verify6(b, 17, 6)
	case layers.LayerTypeTCP:
		d.sums[sumTCP] = d.verify6(b, 6, 16)
	}
}
