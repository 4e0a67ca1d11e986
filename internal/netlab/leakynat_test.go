package netlab

import (
	"encoding/binary"
	"net/netip"
	"testing"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	inet "github.com/rawkit/rawkit/internal/checksum"
)

// TestLeakNAT: the rewritten quote's UDP checksum is the one the probe
// would have had with the new source address and port, and both the
// quoted IP header and the ICMP message check.
func TestLeakNAT(t *testing.T) {
	t.Parallel()
	src, dst, nat := netip.MustParseAddr("10.0.1.1"), netip.MustParseAddr("10.0.5.2"), netip.MustParseAddr("10.0.3.1")
	probe := make([]byte, 20+8+4)
	probe[0], probe[8], probe[9] = 0x45, 1, 17
	binary.BigEndian.PutUint16(probe[2:], uint16(len(probe)))
	copy(probe[12:], src.AsSlice())
	copy(probe[16:], dst.AsSlice())
	udp := probe[20:]
	binary.BigEndian.PutUint16(udp[0:], 40000)
	binary.BigEndian.PutUint16(udp[2:], 33434)
	binary.BigEndian.PutUint16(udp[4:], uint16(len(udp)))
	copy(udp[8:], []byte{1, 2, 3, 4})
	binary.BigEndian.PutUint16(udp[6:], ^inet.Fold(inet.Sum(udp, inet.Pseudo(src, dst, 17, len(udp)))))
	binary.BigEndian.PutUint16(probe[10:], inet.Checksum(probe[:20]))
	body, _ := (&xicmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &xicmp.TimeExceeded{Data: probe}}).Marshal(nil)
	pkt := make([]byte, 20, 20+len(body))
	pkt[0], pkt[9] = 0x45, 1
	pkt = append(pkt, body...)

	out, err := LeakNAT(nil, pkt, nat, 61000)
	if err != nil {
		t.Fatal(err)
	}
	q := out[28:]
	u := q[20:]
	if got := netip.AddrFrom4([4]byte(q[12:16])); got != nat || binary.BigEndian.Uint16(u) != 61000 {
		t.Fatalf("quote from %v port %d", got, binary.BigEndian.Uint16(u))
	}
	if inet.Fold(inet.Sum(u, inet.Pseudo(nat, dst, 17, len(u)))) != 0xffff {
		t.Errorf("quoted UDP checksum %#04x does not check with the new source", binary.BigEndian.Uint16(u[6:]))
	}
	if inet.Checksum(q[:20]) != 0 || inet.Checksum(out[20:]) != 0 {
		t.Errorf("quoted IP header or ICMP checksum does not check")
	}
	if _, err := LeakNAT(nil, probe, nat, 0); err == nil {
		t.Errorf("a UDP datagram was taken for an ICMP error")
	}
}
