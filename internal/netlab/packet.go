package netlab

import (
	"encoding/binary"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/capture"
)

// Packet is one captured packet.
type Packet struct {
	Timestamp time.Time        // when the capturing kernel saw it
	LinkType  capture.LinkType // what Data starts with: Ethernet on veth and lo, LINUX_SLL2 on "any"
	Data      []byte           // as captured, from the link-layer header
	Length    int              // length on the wire; Data is shorter only if truncated
}

// Network returns the bytes after the link-layer header: the IPv4 header
// onwards for an IPv4 packet. It returns nil for a frame too short to
// hold its link-layer header or of a link type it does not know.
func (p Packet) Network() []byte {
	b := p.Data
	switch p.LinkType {
	case capture.LinkEthernet:
		const vlanTag = 4
		off := 12
		for len(b) >= off+2 && isVLAN(binary.BigEndian.Uint16(b[off:])) {
			off += vlanTag
		}
		off += 2
		if len(b) < off {
			return nil
		}
		return b[off:]
	case capture.LinkLinuxSLL:
		if len(b) < 16 {
			return nil
		}
		return b[16:]
	case capture.LinkLinuxSLL2:
		if len(b) < 20 {
			return nil
		}
		return b[20:]
	case capture.LinkRaw:
		return b
	}
	return nil
}

// IPv4 returns Network() if it holds an IPv4 header (version 4), else nil.
func (p Packet) IPv4() []byte {
	b := p.Network()
	if len(b) < 20 || b[0]>>4 != 4 {
		return nil
	}
	return b
}

func isVLAN(ethertype uint16) bool {
	return ethertype == uint16(layers.EthernetTypeDot1Q) || ethertype == uint16(layers.EthernetTypeQinQ)
}

// IPv6 returns Network() if it holds an IPv6 header (version 6), else nil.
func (p Packet) IPv6() []byte {
	b := p.Network()
	if len(b) < 40 || b[0]>>4 != 6 {
		return nil
	}
	return b
}
