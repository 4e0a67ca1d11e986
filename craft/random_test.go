package craft

import (
	"bytes"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestRandomRoundTrips builds packets with every field random (within its
// range) and checks that decoding gives each field back and that every
// checksum verifies: round trips beyond the hand-picked cases.
func TestRandomRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := NewBuilder()
	d := NewDecoder(layers.LayerTypeIPv4)
	for i := 0; i < 3000; i++ {
		ip := randomIPv4(r)
		payload := make([]byte, r.IntN(120))
		for k := range payload {
			payload[k] = byte(r.Uint32())
		}
		var tl gopacket.SerializableLayer
		switch i % 3 {
		case 0:
			tl = &layers.ICMPv4{TypeCode: layers.ICMPv4TypeCode(r.Uint32()), Id: uint16(r.Uint32()), Seq: uint16(r.Uint32())}
		case 1:
			tl = &layers.UDP{SrcPort: layers.UDPPort(r.Uint32()), DstPort: layers.UDPPort(r.Uint32())}
		case 2:
			tl = randomTCP(r)
		}
		pkt, err := b.Build(ip, tl, gopacket.Payload(payload))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if err := d.Decode(pkt); err != nil {
			t.Fatalf("case %d: decode: %v\n% x", i, err, pkt)
		}
		// gopacket writes the same bytes from the same layers, except a
		// UDP checksum that sums to zero: gopacket sends 0 ("none"), RFC
		// 768 and craft send 0xffff.
		if u, ok := tl.(*layers.UDP); !ok || u.Checksum != 0xffff {
			if gp := gopacketBytes(t, cloneIPv4(ip), tl, gopacket.Payload(payload)); !bytes.Equal(gp, pkt) {
				t.Fatalf("case %d: craft\n% x\ngopacket\n% x", i, pkt, gp)
			}
		}
		wantIPv4(t, &d.IPv4, ip)
		if !bytes.Equal(d.Payload, payload) && !(len(payload) == 0 && len(d.Payload) == 0) {
			t.Fatalf("case %d: payload % x, want % x", i, d.Payload, payload)
		}
		frag := ip.Flags&layers.IPv4MoreFragments != 0
		switch v := tl.(type) {
		case *layers.ICMPv4:
			if d.ICMPv4.TypeCode != v.TypeCode || d.ICMPv4.Id != v.Id || d.ICMPv4.Seq != v.Seq {
				t.Fatalf("case %d: ICMP %+v, want %+v", i, d.ICMPv4, v)
			}
		case *layers.UDP:
			if d.UDP.SrcPort != v.SrcPort || d.UDP.DstPort != v.DstPort || d.UDP.Length != v.Length {
				t.Fatalf("case %d: UDP %+v, want %+v", i, d.UDP, v)
			}
		case *layers.TCP:
			wantTCP(t, &d.TCP, v)
		}
		for _, typ := range []gopacket.LayerType{layers.LayerTypeIPv4, layers.LayerTypeICMPv4, layers.LayerTypeUDP, layers.LayerTypeTCP} {
			want := ChecksumGood
			switch {
			case !d.Has(typ):
				want = ChecksumAbsent
			case typ != layers.LayerTypeIPv4 && frag:
				want = ChecksumIncomplete
			}
			if c := d.Checksum(typ); c.State != want {
				t.Fatalf("case %d: %v checksum %v, want %v\n% x", i, typ, c.State, want, pkt)
			}
		}
	}
}

// cloneIPv4 copies ip with its options, since serializing stores computed
// fields back into the layer.
func cloneIPv4(ip *layers.IPv4) *layers.IPv4 {
	c := *ip
	c.Options = append([]layers.IPv4Option(nil), ip.Options...)
	return &c
}

func randomIPv4(r *rand.Rand) *layers.IPv4 {
	ip := &layers.IPv4{
		TOS:   uint8(r.Uint32()),
		Id:    uint16(r.Uint32()),
		Flags: layers.IPv4Flag(r.IntN(8)),
		TTL:   uint8(r.Uint32()),
		SrcIP: net.IP{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())},
		DstIP: net.IP{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())},
	}
	for n := r.IntN(4); n > 0; n-- {
		switch r.IntN(3) {
		case 0:
			ip.Options = append(ip.Options, layers.IPv4Option{OptionType: 1})
		default: // record route or timestamp with room for a few addresses
			data := make([]byte, 1+4*r.IntN(2))
			data[0] = 4
			ip.Options = append(ip.Options, layers.IPv4Option{OptionType: []uint8{7, 68}[r.IntN(2)], OptionData: data})
		}
	}
	return ip
}

func randomTCP(r *rand.Rand) *layers.TCP {
	f := r.Uint32()
	t := &layers.TCP{
		SrcPort: layers.TCPPort(r.Uint32()), DstPort: layers.TCPPort(r.Uint32()),
		Seq: r.Uint32(), Ack: r.Uint32(), Window: uint16(r.Uint32()), Urgent: uint16(r.Uint32()),
		FIN: f&1 != 0, SYN: f&2 != 0, RST: f&4 != 0, PSH: f&8 != 0, ACK: f&16 != 0,
		URG: f&32 != 0, ECE: f&64 != 0, CWR: f&128 != 0, NS: f&256 != 0,
	}
	for n := r.IntN(5); n > 0; n-- {
		switch r.IntN(5) {
		case 0:
			t.Options = append(t.Options, layers.TCPOption{OptionType: layers.TCPOptionKindNop})
		case 1:
			t.Options = append(t.Options, layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{byte(r.Uint32()), byte(r.Uint32())}})
		case 2:
			t.Options = append(t.Options, layers.TCPOption{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{byte(r.IntN(15))}})
		case 3:
			t.Options = append(t.Options, layers.TCPOption{OptionType: layers.TCPOptionKindSACKPermitted})
		case 4:
			t.Options = append(t.Options, layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionData: make([]byte, 8)})
		}
	}
	return t
}

func wantTCP(t *testing.T, got, want *layers.TCP) {
	t.Helper()
	if got.SrcPort != want.SrcPort || got.DstPort != want.DstPort || got.Seq != want.Seq || got.Ack != want.Ack ||
		got.DataOffset != want.DataOffset || got.Window != want.Window || got.Urgent != want.Urgent ||
		got.FIN != want.FIN || got.SYN != want.SYN || got.RST != want.RST || got.PSH != want.PSH ||
		got.ACK != want.ACK || got.URG != want.URG || got.ECE != want.ECE || got.CWR != want.CWR || got.NS != want.NS {
		t.Fatalf("TCP decoded %+v\nwant %+v", got, want)
	}
	if len(got.Options) < len(want.Options) {
		t.Fatalf("TCP options %v, want %v", got.Options, want.Options)
	}
	for i, o := range want.Options {
		g := got.Options[i]
		if g.OptionType != o.OptionType || g.OptionLength != o.OptionLength || !bytes.Equal(g.OptionData, o.OptionData) {
			t.Fatalf("TCP option %d = %v, want %v", i, g, o)
		}
	}
	// Beyond the options built, only the end-of-list that padding reads as.
	for _, g := range got.Options[len(want.Options):] {
		if g.OptionType != layers.TCPOptionKindEndList {
			t.Fatalf("TCP options %v, want %v", got.Options, want.Options)
		}
	}
}
