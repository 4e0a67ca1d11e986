//go:build linux && privileged

package netlab_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"github.com/rawkit/rawkit/raw"
	"golang.org/x/net/ipv6"
)

// echo6 sends one ICMPv6 echo request (hop limit hlim, 0 for the
// default) from h to dst and returns the first ICMPv6 message h receives
// from anyone but itself within a second, with its source and hop limit.
func echo6(t *testing.T, h *netlab.Host, dst netip.Addr, hlim int, seq uint16) raw.Message {
	t.Helper()
	var m raw.Message
	err := h.Do(func() error {
		// Neighbour discovery and MLD reach every raw ICMPv6 socket:
		// take only answers and errors.
		var f ipv6.ICMPFilter
		f.SetAll(true)
		for _, typ := range []ipv6.ICMPType{ipv6.ICMPTypeEchoReply, ipv6.ICMPTypeDestinationUnreachable, ipv6.ICMPTypeTimeExceeded} {
			f.Accept(typ)
		}
		c, err := raw.ListenIPv6(58, &raw.Config{TTL: hlim, ICMP6Filter: &f})
		if err != nil {
			return err
		}
		defer c.Close()
		req := []byte{128, 0, 0, 0, 0x12, 0x34, byte(seq >> 8), byte(seq), 'n', 'l'}
		if _, err := c.WriteToAddr(context.Background(), req, dst); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for {
			b := make([]byte, 1500)
			if m, err = c.ReadMsg(ctx, b); err != nil {
				return fmt.Errorf("no answer from %v: %w", dst, err)
			}
			if len(m.Data) >= 4 && m.Data[0] != 128 {
				return nil
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPairDualStack: the pair's IPv6 addresses answer, over the global
// and the link-local address, as B's capture confirms; and a new pair
// sends nothing of its own (no router solicitation, DAD or late MLD
// report) once built.
func TestPairDualStack(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	if p.A.Addr6() != netip.MustParseAddr("fd00::1") || p.B.Addr6() != netip.MustParseAddr("fd00::2") ||
		p.Link.BPrefix6 != netip.MustParsePrefix("fd00::2/64") {
		t.Fatalf("addresses %v %v %v", p.A.Addr6(), p.B.Addr6(), p.Link.BPrefix6)
	}
	quiet := netlabtest.Sniff(t, p.B, p.BIf, "")
	time.Sleep(300 * time.Millisecond)
	if pkts := quiet.Stop(); len(pkts) != 0 {
		t.Errorf("%d packets on an idle pair, first %x", len(pkts), pkts[0].Network())
	}

	s := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and ip6[40] == 128")
	m := echo6(t, p.A, p.B.Addr6(), 0, 1)
	if m.Src != p.B.Addr6() || m.Data[0] != 129 || m.TTL != 64 {
		t.Errorf("answer %d from %v, hop limit %d", m.Data[0], m.Src, m.TTL)
	}
	ll := linkLocal(t, p.B, p.BIf)
	m = echo6(t, p.A, ll.WithZone(p.AIf), 0, 2)
	if m.Src != ll.WithZone(p.AIf) || m.Data[0] != 129 {
		t.Errorf("link-local answer %d from %v, want from %v", m.Data[0], m.Src, ll.WithZone(p.AIf))
	}
	pkts := s.Stop()
	if len(pkts) != 2 {
		t.Fatalf("B captured %d echo requests, want 2", len(pkts))
	}
	for i, want := range []netip.Addr{p.B.Addr6(), ll} {
		b := pkts[i].IPv6()
		if b == nil {
			t.Fatalf("request %d is not IPv6", i)
		}
		if dst := netip.AddrFrom16([16]byte(b[24:40])); dst != want || binary.BigEndian.Uint16(b[46:]) != uint16(i+1) {
			t.Errorf("request %d to %v seq %d, want %v seq %d", i, dst, binary.BigEndian.Uint16(b[46:]), want, i+1)
		}
	}
}

// linkLocal returns h's fe80:: address on ifname.
func linkLocal(t *testing.T, h *netlab.Host, ifname string) netip.Addr {
	t.Helper()
	var ll netip.Addr
	err := h.Do(func() error {
		ifi, err := netInterface(ifname)
		if err != nil {
			return err
		}
		for _, a := range ifi {
			if a.Is6() && a.IsLinkLocalUnicast() {
				ll = a
			}
		}
		return nil
	})
	if err != nil || !ll.IsValid() {
		t.Fatalf("no link-local address on %s:%s: %v", h.Name, ifname, err)
	}
	return ll
}

// TestChainDualStack: across a 3-router chain the server answers with
// hop limit 61, each router sends time exceeded from its RouterAddr6 at
// its hop, and Unreachable6 brings address unreachable from the last
// router.
func TestChainDualStack(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 3)
	if c.Server.Addr6() != netip.MustParseAddr("fd00:0:0:4::2") || c.RouterAddr6(1) != netip.MustParseAddr("fd00:0:0:2::2") ||
		c.Hop6(4) != c.Server.Addr6() || c.Unreachable6() != netip.MustParseAddr("fd00:0:0:4::c8") {
		t.Fatalf("addresses: server %v, r2 %v, unreachable %v", c.Server.Addr6(), c.RouterAddr6(1), c.Unreachable6())
	}
	m := echo6(t, c.Client, c.Server.Addr6(), 0, 1)
	if m.Src != c.Server.Addr6() || m.Data[0] != 129 || m.TTL != 61 {
		t.Errorf("answer type %d from %v hop limit %d, want echo reply from %v hop limit 61", m.Data[0], m.Src, m.TTL, c.Server.Addr6())
	}
	// And the way back from the server to the client.
	if m := echo6(t, c.Server, c.Client.Addr6(), 0, 2); m.Src != c.Client.Addr6() || m.Data[0] != 129 {
		t.Errorf("server to client: type %d from %v", m.Data[0], m.Src)
	}
	for hop := 1; hop <= 3; hop++ {
		m := echo6(t, c.Client, c.Server.Addr6(), hop, uint16(hop))
		if m.Src != c.Hop6(hop) || m.Data[0] != 3 { // time exceeded
			t.Errorf("hop %d: type %d from %v, want time exceeded from %v", hop, m.Data[0], m.Src, c.Hop6(hop))
		}
	}
	m = echo6(t, c.Client, c.Unreachable6(), 0, 9)
	if m.Src != c.RouterAddr6(2) || m.Data[0] != 1 || m.Data[1] != 3 {
		t.Errorf("unreachable: type %d code %d from %v, want 1/3 from %v", m.Data[0], m.Data[1], m.Src, c.RouterAddr6(2))
	}
}

// TestDiamondDualStack: the diamond routes IPv6 both ways.
func TestDiamondDualStack(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	d := netlabtest.NewDiamond(t)
	if d.Server.Addr6() != netip.MustParseAddr("fd00:0:0:6::2") {
		t.Fatalf("server %v", d.Server.Addr6())
	}
	s := netlabtest.Sniff(t, d.Server, "eth0", "icmp6 and src host "+d.Client.Addr6().String())
	if m := echo6(t, d.Client, d.Server.Addr6(), 0, 1); m.Src != d.Server.Addr6() || m.Data[0] != 129 || m.TTL != 61 {
		t.Errorf("type %d from %v hop limit %d", m.Data[0], m.Src, m.TTL)
	}
	if pkts := s.Stop(); len(pkts) != 1 || pkts[0].IPv6() == nil || pkts[0].IPv6()[7] != 61 {
		t.Errorf("server captured %d requests from the client (want 1, hop limit 61)", len(pkts))
	}
}

// netInterface lists the addresses of the interface named name.
func netInterface(name string) ([]netip.Addr, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr())
		}
	}
	return out, nil
}
