package trace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/ip6defrag"
	"github.com/gopacket/gopacket/layers"

	"github.com/rawkit/rawkit/internal/checksum"
)

// frag4 is what gopacket decodes of an IPv4 fragment.
type frag4 struct {
	len, off int // total length, offset in bytes
	mf, df   bool
	id       uint16
}

// decode4 decodes fragments with gopacket, independently of the code
// under test, checks each header checksum, and reassembles them with
// gopacket's defragmenter.
func decode4(t *testing.T, frags [][]byte) ([]frag4, []byte) {
	t.Helper()
	d := ip4defrag.NewIPv4Defragmenter()
	var got []frag4
	var whole *layers.IPv4
	for _, b := range frags {
		p := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
		ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if !ok {
			t.Fatalf("fragment %x does not decode as IPv4", b[:20])
		}
		if checksum.Checksum(b[:ipv4HeaderLen(b)]) != 0 {
			t.Errorf("fragment at %d: header checksum does not verify", ip.FragOffset*8)
		}
		got = append(got, frag4{int(ip.Length), int(ip.FragOffset) * 8, ip.Flags&layers.IPv4MoreFragments != 0,
			ip.Flags&layers.IPv4DontFragment != 0, ip.Id})
		out, err := d.DefragIPv4(ip)
		if err != nil {
			t.Fatalf("defragment: %v", err)
		}
		if out != nil {
			whole = out
		}
	}
	if whole == nil {
		t.Fatalf("the fragments do not reassemble: %+v", got)
	}
	return got, whole.Payload
}

func ipv4HeaderLen(b []byte) int { return int(b[0]&0xf) * 4 }

// TestFragment4 splits probes of each method at several MTUs: offsets in
// 8-byte steps, MF on all but the last, the ID of the probe, every
// fragment within the MTU and its header checksum right, and the pieces
// reassemble (gopacket's defragmenter) to the probe's transport bytes,
// whose checksum still verifies.
func TestFragment4(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m         Method
		size, mtu int
		want      []frag4
	}{
		{MethodUDP, 3000, 1500, []frag4{{1500, 0, true, false, 9}, {1500, 1480, true, false, 9}, {40, 2960, false, false, 9}}},
		{MethodICMP, 3000, 1006, []frag4{{1004, 0, true, false, 9}, {1004, 984, true, false, 9}, {1004, 1968, true, false, 9}, {48, 2952, false, false, 9}}},
		{MethodTCP, 1501, 1500, []frag4{{1500, 0, true, false, 9}, {21, 1480, false, false, 9}}},
		{MethodUDP, 1500, 1500, []frag4{{1500, 0, false, false, 9}}},
		{MethodUDP, 100, 68, []frag4{{68, 0, true, false, 9}, {52, 48, false, false, 9}}},
	} {
		p := testProber(tc.m, true)
		p.df, p.ipID = false, 7
		pkt := p.build(nil, 2, 5, tc.size)
		frags := fragment4(nil, pkt, tc.mtu)
		got, data := decode4(t, frags)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v %d bytes, MTU %d: fragments %+v, want %+v", tc.m, tc.size, tc.mtu, got, tc.want)
		}
		for _, f := range frags {
			if len(f) > tc.mtu {
				t.Errorf("%v %d bytes, MTU %d: a %d-byte fragment", tc.m, tc.size, tc.mtu, len(f))
			}
			if f[8] != 5 || f[9] != pkt[9] || !bytes.Equal(f[12:20], pkt[12:20]) {
				t.Errorf("%v: fragment header % x does not keep the probe's TTL, protocol and addresses", tc.m, f[:20])
			}
		}
		if !bytes.Equal(data, pkt[ipHeaderLen:]) {
			t.Errorf("%v %d bytes, MTU %d: reassembled %d bytes, not the probe's %d", tc.m, tc.size, tc.mtu, len(data), len(pkt)-ipHeaderLen)
		}
		if c := ^checksum.Fold(checksum.Sum(data, p.pseudo(len(data)))); tc.m != MethodICMP && c != 0 {
			t.Errorf("%v: reassembled transport checksum does not verify", tc.m)
		}
	}
}

// TestFragment6 splits IPv6 probes with a Fragment header (RFC 8200
// 4.5), checked by gopacket's decoder and reassembled by its
// defragmenter.
func TestFragment6(t *testing.T) {
	t.Parallel()
	p := testProber(MethodUDP, true)
	p.v6, p.df = true, false
	p.src, p.dst = netip.MustParseAddr("fd00:0:0:1::1"), netip.MustParseAddr("fd00:0:0:3::2")
	pkt := p.build(nil, 0, 3, 3000)
	frags := fragment6(nil, pkt, 1500, 0x01020304)
	d := ip6defrag.NewIPv6Defragmenter()
	type frag6 struct {
		len, off int
		m        bool
		id       uint32
		next     layers.IPProtocol
	}
	var got []frag6
	var whole *layers.IPv6
	for _, b := range frags {
		if len(b) > 1500 {
			t.Errorf("a %d-byte fragment", len(b))
		}
		pk := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.Default)
		ip, _ := pk.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
		fh, _ := pk.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
		if ip == nil || fh == nil {
			t.Fatalf("fragment % x does not decode as IPv6 with a Fragment header", b[:48])
		}
		if ip.HopLimit != 3 || ip.FlowLabel != p.flow || ip.SrcIP.String() != "fd00:0:0:1::1" {
			t.Errorf("fragment header %+v does not keep the probe's hop limit, flow label, source", ip)
		}
		got = append(got, frag6{len(b), int(fh.FragmentOffset) * 8, fh.MoreFragments, fh.Identification, fh.NextHeader})
		if out := d.DefragIPv6(ip, fh); out != nil {
			whole = out
		}
	}
	want := []frag6{{1496, 0, true, 0x01020304, 17}, {1496, 1448, true, 0x01020304, 17}, {112, 2896, false, 0x01020304, 17}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fragments %+v, want %+v", got, want)
	}
	if whole == nil || !bytes.Equal(whole.Payload, pkt[ipv6HeaderLen:]) {
		t.Fatalf("the fragments do not reassemble to the probe's %d bytes of UDP", len(pkt)-ipv6HeaderLen)
	}
	if c := ^checksum.Fold(checksum.Sum(whole.Payload, p.pseudo(len(whole.Payload)))); c != 0 {
		t.Errorf("reassembled UDP checksum does not verify")
	}
	if fits := fragment6(nil, pkt[:1280], 1280, 1); len(fits) != 1 || binary.BigEndian.Uint16(fits[0][4:]) != uint16(3000-40) {
		t.Errorf("a packet within the MTU was changed")
	}
}

// TestFragmentReusesBuffers: a run fragments every probe into the same
// buffers, so each fragment must be a copy, never alias the probe. Not
// parallel: it counts allocations.
func TestFragmentReusesBuffers(t *testing.T) {
	p := testProber(MethodUDP, true)
	p.df = false
	pkt := p.build(nil, 0, 1, 3000)
	bufs := fragment4(nil, pkt, 1500)
	first := &bufs[0][0]
	again := fragment4(bufs, pkt, 1500)
	if &again[0][0] != first {
		t.Errorf("the second run did not reuse the first fragment's buffer")
	}
	again[0][20] ^= 0xff
	if pkt[20] == again[0][20] {
		t.Errorf("a fragment aliases the probe")
	}
	if n := testing.AllocsPerRun(100, func() { bufs = fragment4(bufs, pkt, 1500) }); n != 0 {
		t.Errorf("%v allocations per run with reused buffers, want 0", n)
	}
}

// A 3000-byte probe across a 1500-byte link: three fragments, offsets in
// bytes (the header counts them in 8-byte units), MF on all but the last.
func Example_fragment4() {
	p := &prober{method: MethodUDP, src: netip.MustParseAddr("10.0.1.1"), dst: netip.MustParseAddr("10.0.3.2"),
		sport: 40000, dport: 33434, ipID: 0x1234}
	for _, f := range fragment4(nil, p.build(nil, 0, 1, 3000), 1500) {
		fo := binary.BigEndian.Uint16(f[6:])
		fmt.Printf("id %#x len %d offset %d MF %t checksum ok %t\n", binary.BigEndian.Uint16(f[4:]), len(f),
			fo&0x1fff*8, fo&flagMF != 0, checksum.Checksum(f[:20]) == 0)
	}
	// Output:
	// id 0x1234 len 1500 offset 0 MF true checksum ok true
	// id 0x1234 len 1500 offset 1480 MF true checksum ok true
	// id 0x1234 len 40 offset 2960 MF false checksum ok true
}
