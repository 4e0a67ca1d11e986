//go:build linux && privileged

package send

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// capturedARPRequest reports whether p is an ARP request (Ethernet, IPv4) for
// target, read from the captured bytes.
func capturedARPRequest(p netlab.Packet, target net.IP) bool {
	b := p.Data
	return p.LinkType == capture.LinkEthernet && len(b) >= 42 && binary.BigEndian.Uint16(b[12:]) == 0x0806 &&
		binary.BigEndian.Uint16(b[20:]) == 1 && net.IP(b[38:42]).Equal(target)
}

// TestSendLiteralIPHeader: a lying total length, a wrong header checksum
// and an identification of 0 cross the wire as the spec sets them (a
// header-included raw socket would have them rewritten, raw(7)), sent to
// B's MAC address, which A, its neighbour table flushed, asked for by ARP.
func TestSendLiteralIPHeader(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	ctx := context.Background()
	if out, err := p.A.Run(ctx, "ip", "neigh", "flush", "all"); err != nil {
		t.Fatalf("ip neigh flush: %v: %s", err, out)
	}
	if out, err := p.A.Run(ctx, "ip", "neigh", "show", "10.0.0.2"); err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("A's neighbour table still knows B: %q %v", out, err)
	}
	var bMAC net.HardwareAddr
	if err := p.B.Do(func() error {
		ifi, err := net.InterfaceByName(p.BIf)
		if err == nil {
			bMAC = ifi.HardwareAddr
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1")
	for _, spec := range []string{
		`ip(dst=10.0.0.2, len=20, chksum=0xdead)/icmp(id=77, seq=1)`,
		`ip(dst=10.0.0.2, id=0)/icmp(id=77, seq=2)`,
	} {
		if code, out, errs := sendIn(t, p.A, spec); code != cli.ExitOK || strings.Contains(errs, "note") {
			t.Fatalf("%s: status %d\n%s%s", spec, code, out, errs)
		}
	}
	var arp, ips []netlab.Packet
	for _, c := range s.Stop() {
		switch {
		case capturedARPRequest(c, net.IPv4(10, 0, 0, 2)):
			arp = append(arp, c)
		case c.IPv4() != nil:
			ips = append(ips, c)
		}
	}
	if len(arp) == 0 {
		t.Errorf("no ARP request for 10.0.0.2 from A: the neighbour table was not the one to answer")
	}
	if len(ips) != 2 {
		t.Fatalf("captured %d IPv4 packets, want 2", len(ips))
	}
	for i, c := range ips {
		if !bytes.Equal(c.Data[:6], bMAC) {
			t.Errorf("packet %d: to MAC %v, want B's %v", i, net.HardwareAddr(c.Data[:6]), bMAC)
		}
	}
	b := ips[0].IPv4()
	if len(b) < 28 || binary.BigEndian.Uint16(b[2:]) != 20 || binary.BigEndian.Uint16(b[10:]) != 0xdead ||
		binary.BigEndian.Uint16(b[4:]) != 1 || !net.IP(b[16:20]).Equal(net.IPv4(10, 0, 0, 2)) ||
		!bytes.Equal(b[20:28], []byte{8, 0, 0xf7, 0xb1, 0, 77, 0, 1}) {
		t.Errorf("lying header: captured % x, want total length 20, checksum 0xdead, ID 1, ICMP echo 77/1", b)
	}
	b = ips[1].IPv4()
	if len(b) < 28 || binary.BigEndian.Uint16(b[4:]) != 0 || binary.BigEndian.Uint16(b[2:]) != 28 || !sumOK(b[:20]) ||
		!net.IP(b[12:16]).Equal(net.IPv4(10, 0, 0, 1)) {
		t.Errorf("ID 0: captured % x, want ID 0, length 28, a valid checksum", b)
	}
}

// TestSendLiteralIPHeaderLoopback: to a local address the packet goes
// out on lo, which needs no link-layer address, still as set.
func TestSendLiteralIPHeaderLoopback(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	s := netlabtest.Sniff(t, h, "lo", "icmp")
	if code, out, errs := sendIn(t, h, `ip(dst=127.0.0.1, len=20, chksum=0xbeef)/icmp(id=78)`); code != cli.ExitOK {
		t.Fatalf("status %d\n%s%s", code, out, errs)
	}
	got := s.Stop()
	if len(got) != 1 {
		t.Fatalf("captured %d packets on lo, want 1", len(got))
	}
	b := got[0].IPv4()
	if len(b) < 28 || binary.BigEndian.Uint16(b[2:]) != 20 || binary.BigEndian.Uint16(b[10:]) != 0xbeef {
		t.Errorf("captured % x, want total length 20 and checksum 0xbeef", b)
	}
}

// TestSendLiteralIPHeaderNoNeighbour: when nobody answers the ARP
// requests, send says which address it could not resolve, exits 2 and
// sends no IP packet.
func TestSendLiteralIPHeaderNoNeighbour(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1")
	code, out, errs := sendIn(t, p.A, `ip(dst=10.0.0.99, chksum=0xdead)/icmp()`)
	if code != cli.ExitError || !strings.Contains(errs, "10.0.0.99") || strings.Count(errs, "\n") != 1 {
		t.Errorf("status %d, stderr %q, want 2 and one line naming 10.0.0.99\n%s", code, errs, out)
	}
	arp := 0
	for _, c := range s.Stop() {
		if capturedARPRequest(c, net.IPv4(10, 0, 0, 99)) {
			arp++
		} else if c.IPv4() != nil {
			t.Errorf("an IPv4 packet was sent: % x", c.IPv4())
		}
	}
	if arp != 3 {
		t.Errorf("%d ARP requests for 10.0.0.99, want 3", arp)
	}
}

// TestSendLiteralIPHeaderViaGateway: to a host behind a router the
// packet goes to the router's MAC address, the gateway of A's route,
// with its wrong checksum (which the router then drops, so the capture
// is on the router's side of the first link).
func TestSendLiteralIPHeaderViaGateway(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 1)
	r := c.Routers[0]
	if out, err := c.Client.Run(context.Background(), "ip", "neigh", "flush", "all"); err != nil {
		t.Fatalf("ip neigh flush: %v: %s", err, out)
	}
	var rMAC net.HardwareAddr
	if err := r.Do(func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err == nil {
			rMAC = ifi.HardwareAddr
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := netlabtest.Sniff(t, r, "eth0", "src host 10.0.1.1 and icmp")
	if code, out, errs := sendIn(t, c.Client, `ip(dst=10.0.2.2, chksum=0xdead)/icmp(id=79)`); code != cli.ExitOK {
		t.Fatalf("status %d\n%s%s", code, out, errs)
	}
	got := s.Stop()
	if len(got) != 1 {
		t.Fatalf("captured %d packets, want 1", len(got))
	}
	b := got[0].IPv4()
	if !bytes.Equal(got[0].Data[:6], rMAC) || len(b) < 20 || binary.BigEndian.Uint16(b[10:]) != 0xdead ||
		!net.IP(b[16:20]).Equal(net.IPv4(10, 0, 2, 2)) {
		t.Errorf("captured % x, want to the router's MAC %v a packet to 10.0.2.2 with checksum 0xdead", got[0].Data, rMAC)
	}
}
