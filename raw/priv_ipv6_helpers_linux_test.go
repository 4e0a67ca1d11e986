//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
)

// wire6 is one captured IPv6 packet, its fixed header's fields read by
// hand, independently of the code under test.
type wire6 struct {
	raw          []byte
	tclass, hlim int
	flow         uint32
	next         int
	src, dst     netip.Addr
	payload      []byte
}

func captured6(pkts []netlab.Packet) []wire6 {
	var out []wire6
	for _, p := range pkts {
		b := p.IPv6()
		if b == nil {
			continue
		}
		end := min(40+int(binary.BigEndian.Uint16(b[4:])), len(b))
		out = append(out, wire6{
			raw:     b,
			tclass:  int(binary.BigEndian.Uint16(b)>>4) & 0xff,
			flow:    binary.BigEndian.Uint32(b) & 0xfffff,
			hlim:    int(b[7]),
			next:    int(b[6]),
			src:     netip.AddrFrom16([16]byte(b[8:24])),
			dst:     netip.AddrFrom16([16]byte(b[24:40])),
			payload: b[40:end],
		})
	}
	return out
}

// checksum6 is the checksum of an upper-layer message with the IPv6
// pseudo-header (RFC 8200 8.1); 0 over a message whose checksum is right.
func checksum6(src, dst netip.Addr, next int, msg []byte) uint16 {
	s, d := src.As16(), dst.As16()
	pseudo := append(append(s[:], d[:]...), byte(len(msg)>>24), byte(len(msg)>>16), byte(len(msg)>>8), byte(len(msg)), 0, 0, 0, byte(next))
	return inetChecksum(append(pseudo, msg...))
}

// echo6Request is an ICMPv6 echo request; the kernel fills the checksum.
func echo6Request(id, seq int, data string) []byte {
	b := []byte{128, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	return append(b, data...)
}

// readType6 reads until an ICMPv6 message of type typ with sequence seq
// arrives, for up to 3 seconds.
func readType6(t *testing.T, c *Conn, typ, seq int) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for range 100 {
		m, err := c.ReadMsg(ctx, make([]byte, 1500))
		if err != nil {
			t.Fatalf("waiting for ICMPv6 type %d seq %d: %v", typ, seq, err)
		}
		if d := m.Data; len(d) >= 8 && int(d[0]) == typ && int(binary.BigEndian.Uint16(d[6:])) == seq {
			return m
		}
	}
	t.Fatalf("no ICMPv6 type %d among 100 messages", typ)
	return Message{}
}

// ifAddrs returns the index and addresses of h's interface name.
func ifAddrs(t *testing.T, h *netlab.Host, name string) (int, []netip.Addr) {
	t.Helper()
	var idx int
	var out []netip.Addr
	err := h.Do(func() error {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return err
		}
		idx = ifi.Index
		addrs, err := ifi.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				out = append(out, p.Addr())
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return idx, out
}

// linkLocal6 returns h's fe80:: address on name.
func linkLocal6(t *testing.T, h *netlab.Host, name string) netip.Addr {
	t.Helper()
	_, addrs := ifAddrs(t, h, name)
	for _, a := range addrs {
		if a.Is6() && a.IsLinkLocalUnicast() {
			return a
		}
	}
	t.Fatalf("no link-local address on %s:%s", h.Name, name)
	return netip.Addr{}
}
