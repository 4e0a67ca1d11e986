//go:build privileged

package raw

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
	"golang.org/x/net/ipv4"
)

// The privileged tests send from host A of a namespace pair and check
// what B's tcpdump captured: the capture, not the sender, is the oracle.
// Captured bytes are checked with x/net's header parser and the checksum
// below, independently of package craft that built them.

// inetChecksum is the Internet checksum (RFC 1071) of b; over a header
// or message whose checksum field is correct it is 0.
//
// It is written out here rather than taken from internal/checksum on
// purpose: an oracle that shares the code it checks cannot catch that
// code's mistakes.
func inetChecksum(b []byte) uint16 {
	var s uint32
	for ; len(b) >= 2; b = b[2:] {
		s += uint32(binary.BigEndian.Uint16(b))
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// transportChecksum is the checksum of a UDP or TCP segment with the IPv4
// pseudo-header; 0 means valid.
func transportChecksum(src, dst netip.Addr, proto int, seg []byte) uint16 {
	s4, d4 := src.As4(), dst.As4()
	pseudo := append(append(s4[:], d4[:]...), 0, byte(proto), byte(len(seg)>>8), byte(len(seg)))
	return inetChecksum(append(pseudo, seg...))
}

// wirePacket is one captured IPv4 packet, parsed.
type wirePacket struct {
	hdr     *ipv4.Header
	raw     []byte // from the IPv4 header on
	payload []byte // what follows the header, to the total length
}

// captured parses the IPv4 packets of a capture.
func captured(t *testing.T, pkts []netlab.Packet) []wirePacket {
	t.Helper()
	var out []wirePacket
	for _, p := range pkts {
		b := p.IPv4()
		if b == nil {
			continue
		}
		h, err := ipv4.ParseHeader(b)
		if err != nil {
			t.Fatalf("captured packet does not parse: %v", err)
		}
		end := min(h.TotalLen, len(b))
		out = append(out, wirePacket{hdr: h, raw: b, payload: b[h.Len:end]})
	}
	return out
}

// addr converts a parsed header address.
func addr(ip []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// openIn opens a socket inside h's namespace and closes it at the end.
func openIn(t *testing.T, h *netlab.Host, open func() (*Conn, error)) *Conn {
	t.Helper()
	var c *Conn
	err := h.Do(func() error {
		var err error
		c, err = open()
		return err
	})
	if err != nil {
		t.Fatalf("opening a socket in %s: %v", h.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func netipParse(s string) (netip.Addr, error) { return netip.ParseAddr(s) }

// listenEchoReplies opens, in h's namespace, a raw ICMP socket sending
// from src that receives echo replies only, with kernel receive times.
func listenEchoReplies(t *testing.T, h *netlab.Host, src netip.Addr) *Conn {
	t.Helper()
	return openIn(t, h, func() (*Conn, error) {
		f := &ipv4.ICMPFilter{}
		f.SetAll(true)
		f.Accept(ipv4.ICMPTypeEchoReply)
		return ListenIPv4(1, &Config{Timestamps: true, ICMPFilter: f, Source: src})
	})
}
