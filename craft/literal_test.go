package craft

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/internal/checksum"
)

func decodeIPv4(t *testing.T, b []byte) *Decoder {
	t.Helper()
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(b); err != nil {
		t.Fatalf("decode: %v\n% x", err, b)
	}
	return d
}

func wantState(t *testing.T, d *Decoder, typ gopacket.LayerType, want ChecksumState) Checksum {
	t.Helper()
	c := d.Checksum(typ)
	if c.State != want {
		t.Errorf("%v checksum %v (got %#04x, want %#04x), want state %v", typ, c.State, c.Got, c.Want, want)
	}
	return c
}

// TestKeptChecksumsAreSentAndDetected: each checksum kept wrong on purpose
// is written as set, the others stay right, and the decoder flags exactly
// the wrong one and says what it should have been.
func TestKeptChecksumsAreSentAndDetected(t *testing.T) {
	b := NewBuilder()
	t.Run("IPv4", func(t *testing.T) {
		p := NewICMPEcho(srcAddr, dstAddr, 1, 2, []byte("abc"))
		p.IP.Checksum, p.Keep = 0xdead, IPv4Checksum
		pkt, err := b.BuildICMPv4(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.BigEndian.Uint16(pkt[10:]); got != 0xdead {
			t.Fatalf("IPv4 checksum on the wire %#04x, want 0xdead", got)
		}
		d := decodeIPv4(t, pkt)
		c := wantState(t, d, layers.LayerTypeIPv4, ChecksumBad)
		wantState(t, d, layers.LayerTypeICMPv4, ChecksumGood)
		if c.Want != checksum.Checksum(append(append([]byte{}, pkt[:10]...), pkt[12:20]...)) {
			t.Errorf("Want %#04x is not the header's checksum", c.Want)
		}
		if d.ChecksumsValid() {
			t.Error("ChecksumsValid with a bad IPv4 checksum")
		}
	})
	t.Run("ICMPv4", func(t *testing.T) {
		p := NewICMPEcho(srcAddr, dstAddr, 1, 2, []byte("abc"))
		p.ICMP.Checksum, p.Keep = 0x1111, ICMPv4Checksum
		pkt, err := b.BuildICMPv4(p)
		if err != nil {
			t.Fatal(err)
		}
		d := decodeIPv4(t, pkt)
		wantState(t, d, layers.LayerTypeIPv4, ChecksumGood)
		if c := wantState(t, d, layers.LayerTypeICMPv4, ChecksumBad); c.Got != 0x1111 {
			t.Errorf("ICMP checksum got %#04x, want 0x1111", c.Got)
		}
	})
	t.Run("UDP", func(t *testing.T) {
		p := NewUDP(netip.AddrPortFrom(srcAddr, 1), netip.AddrPortFrom(dstAddr, 2), []byte("abc"))
		p.UDP.Checksum, p.Keep = 0x2222, UDPChecksum
		pkt, err := b.BuildUDP(p)
		if err != nil {
			t.Fatal(err)
		}
		d := decodeIPv4(t, pkt)
		wantState(t, d, layers.LayerTypeIPv4, ChecksumGood)
		wantState(t, d, layers.LayerTypeUDP, ChecksumBad)
		// Zero is "no checksum" (RFC 768), not a bad one.
		p.UDP.Checksum = 0
		pkt, _ = b.BuildUDP(p)
		wantState(t, decodeIPv4(t, pkt), layers.LayerTypeUDP, ChecksumAbsent)
	})
	t.Run("TCP", func(t *testing.T) {
		p := linuxSYN()
		p.TCP.Checksum, p.Keep = 0x3333, TCPChecksum
		pkt, err := b.BuildTCP(p)
		if err != nil {
			t.Fatal(err)
		}
		d := decodeIPv4(t, pkt)
		wantState(t, d, layers.LayerTypeIPv4, ChecksumGood)
		wantState(t, d, layers.LayerTypeTCP, ChecksumBad)
	})
	t.Run("TCP pseudo-header", func(t *testing.T) {
		// A TCP checksum is over the pseudo-header too: changing the
		// destination after building breaks it although the segment is
		// untouched.
		pkt, err := b.BuildTCP(linuxSYN())
		if err != nil {
			t.Fatal(err)
		}
		pkt[19]++
		binary.BigEndian.PutUint16(pkt[10:], 0)
		binary.BigEndian.PutUint16(pkt[10:], checksum.Checksum(pkt[:20]))
		d := decodeIPv4(t, pkt)
		wantState(t, d, layers.LayerTypeIPv4, ChecksumGood)
		wantState(t, d, layers.LayerTypeTCP, ChecksumBad)
	})
}

// TestKeptLengthsAndOffsets: every computed length, offset, version and
// protocol number is written as set when kept.
func TestKeptLengthsAndOffsets(t *testing.T) {
	b := NewBuilder()
	ip := testIPv4(layers.IPProtocolICMPv4)
	ip.Version, ip.IHL, ip.Length, ip.Protocol = 5, 7, 1000, 99
	ip.Options = []layers.IPv4Option{{OptionType: 7, OptionLength: 40, OptionData: []byte{4, 0, 0, 0, 0}}}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}
	pkt, err := b.Build(&Literal{Layer: ip, Keep: IPv4Version | IPv4IHL | IPv4Length | IPv4Protocol | IPv4OptionLengths}, icmp)
	if err != nil {
		t.Fatal(err)
	}
	if pkt[0] != 0x57 || binary.BigEndian.Uint16(pkt[2:]) != 1000 || pkt[9] != 99 || pkt[21] != 40 {
		t.Errorf("kept IPv4 fields not on the wire: % x", pkt[:28])
	}
	if len(pkt) != 28+8 {
		t.Errorf("packet is %d bytes, want 36: a lying length must not change what is sent", len(pkt))
	}
	// The header checksum is still computed, over what IHL says.
	if checksum.Checksum(pkt[:28]) != 0 {
		t.Errorf("IPv4 checksum %#04x does not verify over IHL*4 bytes", binary.BigEndian.Uint16(pkt[10:]))
	}

	udp := &layers.UDP{SrcPort: 7, DstPort: 9, Length: 4}
	pkt, err = b.Build(testIPv4(0), &Literal{Layer: udp, Keep: UDPLength}, gopacket.Payload("xyz"))
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(pkt[24:]); got != 4 {
		t.Errorf("UDP length %d, want 4", got)
	}
	if pkt[9] != 17 {
		t.Errorf("protocol %d, want 17 computed", pkt[9])
	}

	tcp := &layers.TCP{SrcPort: 7, DstPort: 9, DataOffset: 15, SYN: true,
		Options: []layers.TCPOption{{OptionType: 2, OptionLength: 9, OptionData: []byte{1, 2}}}}
	pkt, err = b.Build(testIPv4(0), &Literal{Layer: tcp, Keep: TCPDataOffset | TCPOptionLengths})
	if err != nil {
		t.Fatal(err)
	}
	if pkt[20+12]>>4 != 15 || pkt[20+21] != 9 || len(pkt) != 20+24 {
		t.Errorf("kept TCP fields not on the wire: % x", pkt[20:])
	}
	d := NewDecoder(layers.LayerTypeIPv4)
	if err := d.Decode(pkt); err == nil {
		t.Errorf("decoding a data offset beyond the segment succeeded")
	}

	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: layers.EthernetBroadcast, EthernetType: 0x88b5}
	pkt, err = b.Build(&Literal{Layer: eth, Keep: EthernetType}, testIPv4(0), icmp)
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint16(pkt[12:]) != 0x88b5 {
		t.Errorf("EtherType %#04x, want 0x88b5", binary.BigEndian.Uint16(pkt[12:]))
	}
}

// TestLiteralIsPerLayer: in IP in IP, a kept outer checksum leaves the
// inner one computed, and the inner header's protocol is wired to ICMP.
func TestLiteralIsPerLayer(t *testing.T) {
	outer, inner := testIPv4(0), testIPv4(0)
	outer.Checksum = 0xbad0
	pkt, err := NewBuilder().Build(&Literal{Layer: outer, Keep: IPv4Checksum}, inner,
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 7, Seq: 1})
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint16(pkt[10:]) != 0xbad0 || pkt[9] != 4 || pkt[29] != 1 {
		t.Fatalf("outer checksum %#04x proto %d, inner proto %d", binary.BigEndian.Uint16(pkt[10:]), pkt[9], pkt[29])
	}
	if checksum.Checksum(pkt[20:40]) != 0 {
		t.Error("inner IPv4 checksum does not verify")
	}
	const want = "IP 192.0.2.1 > 198.51.100.7: IP 192.0.2.1 > 198.51.100.7: ICMP echo request, id 7, seq 1, length 8"
	if got := Summary(pkt, layers.LayerTypeIPv4); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestKeptIPv4LengthFeedsPseudoHeader: with the total length kept, the
// transport checksum uses the length it implies, as receivers do.
func TestKeptIPv4LengthFeedsPseudoHeader(t *testing.T) {
	p := NewUDP(netip.AddrPortFrom(srcAddr, 1), netip.AddrPortFrom(dstAddr, 2), []byte("abcdef"))
	p.IP.Length, p.Keep = 20+8+6, IPv4Length
	pkt, err := NewBuilder().BuildUDP(p)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, decodeIPv4(t, pkt), layers.LayerTypeUDP, ChecksumGood)
	p.IP.Length = 20 + 8 + 2 // a lie: the pseudo-header now says 10 bytes
	if pkt, err = NewBuilder().BuildUDP(p); err != nil {
		t.Fatal(err)
	}
	ps := pseudo4(pkt[12:16], pkt[16:20], 17, 10)
	if ^checksum.Fold(checksum.Sum(pkt[20:], ps)) != 0 {
		t.Error("UDP checksum not computed over the pseudo-header length the kept IPv4 length implies")
	}
}

func TestFieldString(t *testing.T) {
	for f, want := range map[Field]string{
		0:                              "0",
		IPv4Checksum:                   "IPv4Checksum",
		IPv4Length | TCPChecksum:       "IPv4Length|TCPChecksum",
		EthernetType | Field(1<<20):    "EthernetType|0x100000",
		AllFields &^ IPv4OptionLengths: "IPv4Version|IPv4IHL|IPv4Length|IPv4Protocol|IPv4Checksum|ICMPv4Checksum|UDPLength|UDPChecksum|TCPDataOffset|TCPChecksum|TCPOptionLengths|EthernetType|IPv6Version|IPv6Length|IPv6NextHeader|IPv6ExtLength|IPv6OptionLengths|ICMPv6Checksum",
	} {
		if got := f.String(); got != want {
			t.Errorf("Field(%#x).String() = %q, want %q", uint32(f), got, want)
		}
	}
}
