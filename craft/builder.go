package craft

import (
	"errors"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A Builder serializes layers into a buffer it reuses, so that building a
// packet allocates nothing once the buffer has grown to size. A Builder is
// not safe for concurrent use; give each sending goroutine its own.
type Builder struct {
	buf gopacket.SerializeBuffer
}

// NewBuilder returns a Builder with room for a typical packet.
func NewBuilder() *Builder {
	return &Builder{buf: gopacket.NewSerializeBufferExpectedSize(256, 0)}
}

// Build serializes the layers, outermost first, and returns the packet. The
// returned slice aliases the Builder's buffer: it is valid until the next
// call to Build.
//
// Lengths and checksums are computed (see Field for the list): IPv4 total
// length, IHL and header checksum, the protocol number from the layer after
// an IPv4 header, ICMPv4 checksum, UDP length and checksum, TCP data offset
// and checksum, and the EtherType. A UDP or TCP checksum is computed against
// the nearest IPv4 layer before it, so there is no need to call
// SetNetworkLayerForChecksum. Wrap a layer in a Literal to keep any of its
// computed fields as set. Computed values are stored back into the layers.
//
// IPv4, ICMPv4, UDP, TCP, Ethernet and Payload layers are written by craft
// itself; any other gopacket.SerializableLayer is serialized by its own
// SerializeTo with lengths and checksums fixed.
//
// A field out of range (IPv4 flags over 7, fragment offset over 8191, a kept
// IHL or data offset over 15), options over 40 bytes, an address that is not
// IPv4 or a packet over 65,535 bytes is an error naming the value.
func (b *Builder) Build(ls ...gopacket.SerializableLayer) ([]byte, error) {
	buf := b.buf
	if err := buf.Clear(); err != nil {
		return nil, err
	}
	for i := len(ls) - 1; i >= 0; i-- {
		l, keep := unwrap(ls[i])
		var err error
		switch v := l.(type) {
		case *layers.IPv4:
			err = putIPv4(buf, v, keep, layerTypeAt(ls, i+1))
		case *layers.ICMPv4:
			err = putICMPv4(buf, v, keep)
		case *layers.IPv6:
			err = putIPv6(buf, v, keep, layerTypeAt(ls, i+1))
		case *layers.ICMPv6:
			err = putICMPv6(buf, v, keep, networkBefore(ls, i))
		case *layers.ICMPv6Echo:
			err = putICMPv6Echo(buf, v)
		case *IPv6HopByHop:
			err = putIPv6Options(buf, v, keep, layerTypeAt(ls, i+1))
		case *IPv6Destination:
			err = putIPv6Options(buf, (*IPv6HopByHop)(v), keep, layerTypeAt(ls, i+1))
		case *IPv6Routing:
			err = putIPv6Routing(buf, v, keep, layerTypeAt(ls, i+1))
		case *IPv6Fragment:
			err = putIPv6Fragment(buf, v, keep, layerTypeAt(ls, i+1))
		case *ICMPv6Message:
			if err = putBytes(buf, v.Body); err == nil {
				err = putICMPv6(buf, &v.Header, keep, networkBefore(ls, i))
			}
		case *layers.UDP:
			err = putUDP(buf, v, keep, networkBefore(ls, i))
		case *layers.TCP:
			err = putTCP(buf, v, keep, networkBefore(ls, i))
		case gopacket.Payload:
			err = putBytes(buf, v)
		case *gopacket.Payload:
			if v == nil {
				err = errors.New("craft: nil Payload layer")
				break
			}
			err = putBytes(buf, *v)
		case *layers.Ethernet:
			err = putEthernet(buf, v, keep, layerTypeAt(ls, i+1))
		case nil:
			err = fmt.Errorf("craft: layer %d is nil", i)
		default:
			err = l.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true})
		}
		if err != nil {
			return nil, err
		}
		buf.PushLayer(l.LayerType())
	}
	return buf.Bytes(), nil
}

// layerTypeAt returns the type of ls[i], or LayerTypeZero past the end.
func layerTypeAt(ls []gopacket.SerializableLayer, i int) gopacket.LayerType {
	if i >= len(ls) {
		return gopacket.LayerTypeZero
	}
	l, _ := unwrap(ls[i])
	if l == nil {
		return gopacket.LayerTypeZero
	}
	return l.LayerType()
}

// networkBefore finds the IP header a transport layer at ls[i] is carried
// in: the nearest IPv4 or IPv6 layer before it. For IPv6, a routing header
// in between with segments left gives the pseudo-header's destination: its
// last address (RFC 8200 section 8.1).
func networkBefore(ls []gopacket.SerializableLayer, i int) netCtx {
	var final net.IP
	for j := i - 1; j >= 0; j-- {
		l, keep := unwrap(ls[j])
		switch v := l.(type) {
		case *layers.IPv4:
			if v != nil {
				return netCtx{ip: v, keep: keep}
			}
		case *layers.IPv6:
			if v != nil {
				return netCtx{ip6: v, keep: keep, dst6: final}
			}
		case *IPv6Routing:
			if v != nil && v.SegmentsLeft > 0 && len(v.Addresses) > 0 {
				final = v.Addresses[len(v.Addresses)-1]
			}
		}
	}
	return netCtx{}
}

func putBytes(buf gopacket.SerializeBuffer, p []byte) error {
	b, err := buf.PrependBytes(len(p))
	if err != nil {
		return err
	}
	copy(b, p)
	return nil
}

func putEthernet(buf gopacket.SerializeBuffer, e *layers.Ethernet, keep Field, next gopacket.LayerType) error {
	if e == nil {
		return errors.New("craft: nil Ethernet layer")
	}
	if keep&EthernetType == 0 {
		switch next {
		case layers.LayerTypeIPv4:
			e.EthernetType = layers.EthernetTypeIPv4
		case layers.LayerTypeARP:
			e.EthernetType = layers.EthernetTypeARP
		case layers.LayerTypeIPv6:
			e.EthernetType = layers.EthernetTypeIPv6
		case layers.LayerTypeDot1Q:
			e.EthernetType = layers.EthernetTypeDot1Q
		}
	}
	// gopacket's Ethernet pads the frame to the 60-byte minimum.
	if err := e.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		return fmt.Errorf("craft: Ethernet: %w", err)
	}
	return nil
}
