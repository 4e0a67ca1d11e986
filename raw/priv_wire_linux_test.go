//go:build privileged

package raw

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/ipv4"
)

// TestHeaderIncludedArrivesAsBuilt sends craft-built packets with the
// header included and checks on the receiver that every field is as set
// and every checksum valid.
func TestHeaderIncludedArrivesAsBuilt(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(255, &Config{HeaderIncluded: true}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "src host "+a.String())

	bld := craft.NewBuilder()
	echo := craft.NewICMPEcho(a, b, 0x1234, 7, []byte("rawkit hdrincl icmp"))
	echo.IP.TTL, echo.IP.TOS, echo.IP.Id, echo.IP.Flags = 33, 0xb8, 0x4242, layers.IPv4DontFragment
	udp := craft.NewUDP(netip.AddrPortFrom(a, 40000), netip.AddrPortFrom(b, 9), []byte("rawkit hdrincl udp"))
	udp.IP.TTL, udp.IP.TOS, udp.IP.Id, udp.IP.Flags = 200, 0x04, 0xbeef, 0
	var sent [][]byte
	for _, build := range []func() ([]byte, error){
		func() ([]byte, error) { return bld.BuildICMPv4(echo) },
		func() ([]byte, error) { return bld.BuildUDP(udp) },
	} {
		pkt, err := build()
		if err != nil {
			t.Fatal(err)
		}
		pkt = bytes.Clone(pkt) // the builder reuses its buffer
		if n, err := c.WriteToAddr(context.Background(), pkt, b); err != nil || n != len(pkt) {
			t.Fatalf("WriteToAddr = %d, %v; want %d", n, err, len(pkt))
		}
		sent = append(sent, pkt)
	}

	got := captured(t, sn.Stop())
	want := []struct {
		ttl, tos, id, proto int
		df                  bool
		payload             []byte
	}{
		{33, 0xb8, 0x4242, 1, true, sent[0][20:]},
		{200, 0x04, 0xbeef, 17, false, sent[1][20:]},
	}
	if len(got) < len(want) {
		t.Fatalf("captured %d packets from %v, want %d", len(got), a, len(want))
	}
	for i, w := range want {
		g := got[i]
		h := g.hdr
		if h.TTL != w.ttl || h.TOS != w.tos || h.ID != w.id || h.Protocol != w.proto ||
			(h.Flags&ipv4.DontFragment != 0) != w.df || addr(h.Src) != a || addr(h.Dst) != b {
			t.Errorf("packet %d arrived as %v; want TTL %d TOS %#x ID %#x DF %v protocol %d %v > %v",
				i, h, w.ttl, w.tos, w.id, w.df, w.proto, a, b)
		}
		if !bytes.Equal(g.payload, w.payload) {
			t.Errorf("packet %d payload\n got %x\nwant %x", i, g.payload, w.payload)
		}
		if inetChecksum(g.raw[:h.Len]) != 0 {
			t.Errorf("packet %d: IPv4 header checksum %#04x invalid", i, h.Checksum)
		}
	}
	if s := inetChecksum(got[0].payload); s != 0 {
		t.Errorf("ICMP checksum invalid on the wire (residue %#04x)", s)
	}
	if s := transportChecksum(a, b, 17, got[1].payload); s != 0 {
		t.Errorf("UDP checksum invalid on the wire (residue %#04x)", s)
	}
}

// TestWrongChecksumArrivesWrong: a checksum kept wrong on purpose is not
// fixed by anyone on the way.
func TestWrongChecksumArrivesWrong(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(1, &Config{HeaderIncluded: true}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp and src host "+a.String())

	echo := craft.NewICMPEcho(a, b, 0x5151, 1, []byte("bad checksum"))
	echo.ICMP.Checksum = 0xdead
	echo.Keep = craft.ICMPv4Checksum
	pkt, err := craft.NewBuilder().BuildICMPv4(echo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToAddr(context.Background(), pkt, b); err != nil {
		t.Fatal(err)
	}
	got := captured(t, sn.Stop())
	if len(got) != 1 {
		t.Fatalf("captured %d ICMP packets, want 1", len(got))
	}
	icmp := got[0].payload
	if sum := binary.BigEndian.Uint16(icmp[2:]); sum != 0xdead {
		t.Errorf("ICMP checksum on the wire %#04x, want 0xdead", sum)
	}
	if inetChecksum(icmp) == 0 {
		t.Error("ICMP checksum verifies on the wire; it was meant to be wrong")
	}
	if inetChecksum(got[0].raw[:got[0].hdr.Len]) != 0 {
		t.Error("IPv4 header checksum invalid: the kernel should still fill it")
	}
}

// TestWriteBatchThousand: one WriteBatch call of 1,000 packets, all 1,000
// captured by the receiver.
func TestWriteBatchThousand(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(17, &Config{HeaderIncluded: true}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "udp and dst port 9 and src host "+a.String())

	const n = 1000
	bld := craft.NewBuilder()
	pkts := make([][]byte, n)
	for i := range pkts {
		u := craft.NewUDP(netip.AddrPortFrom(a, 40001), netip.AddrPortFrom(b, 9), fmt.Appendf(nil, "batch %04d", i))
		pkt, err := bld.BuildUDP(u)
		if err != nil {
			t.Fatal(err)
		}
		pkts[i] = bytes.Clone(pkt)
	}
	sent, err := c.WriteBatch(context.Background(), pkts, b)
	if err != nil || sent != n {
		t.Fatalf("WriteBatch = %d, %v; want %d", sent, err, n)
	}
	seen := map[string]bool{}
	for _, g := range captured(t, sn.Stop()) {
		if len(g.payload) > 8 {
			seen[string(g.payload[8:])] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("receiver captured %d distinct packets of the batch, want %d", len(seen), n)
	}
}

// TestBadInputSendsNothing: every refused write leaves the wire silent;
// only the good packet sent last is captured.
func TestBadInputSendsNothing(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(17, &Config{HeaderIncluded: true}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "src host "+a.String())

	build := func(payload []byte) []byte {
		pkt, err := craft.NewBuilder().BuildUDP(craft.NewUDP(netip.AddrPortFrom(a, 1), netip.AddrPortFrom(b, 9), payload))
		if err != nil {
			t.Fatal(err)
		}
		return pkt
	}
	good := build([]byte("good"))
	badVersion := bytes.Clone(good)
	badVersion[0] = 0x65
	badIHL := bytes.Clone(good)
	badIHL[0] = 0x4f
	huge := make([]byte, 70000)
	copy(huge, good)
	ctx := context.Background()
	for name, write := range map[string]func() error{
		"too big":    func() error { _, err := c.WriteToAddr(ctx, huge, b); return err },
		"version":    func() error { _, err := c.WriteToAddr(ctx, badVersion, b); return err },
		"ihl":        func() error { _, err := c.WriteToAddr(ctx, badIHL, b); return err },
		"short":      func() error { _, err := c.WriteToAddr(ctx, good[:10], b); return err },
		"ipv6 dst":   func() error { _, err := c.WriteToAddr(ctx, good, netip.MustParseAddr("fd00::2")); return err },
		"batch item": func() error { _, err := c.WriteBatch(ctx, [][]byte{good, good, badVersion}, b); return err },
	} {
		if err := write(); err == nil {
			t.Errorf("%s: write accepted", name)
		}
	}
	marker := build([]byte("marker"))
	if _, err := c.WriteToAddr(ctx, marker, b); err != nil {
		t.Fatal(err)
	}
	got := captured(t, sn.Stop())
	if len(got) != 1 || !bytes.HasSuffix(got[0].payload, []byte("marker")) {
		t.Fatalf("captured %d packets, want only the marker", len(got))
	}
}
