//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/ipv6"
)

// TestIPv6EchoMetadata: an ICMPv6 echo request from A gets B's kernel
// reply, read without an IP header but with its source, destination,
// interface, hop limit 64 and a kernel timestamp; B's capture shows the
// request as sent, its checksum filled by A's kernel.
func TestIPv6EchoMetadata(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr6(), p.B.Addr6()
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, &Config{Timestamps: true}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and ip6[40] == 128")
	before := time.Now()
	if _, err := c.WriteToAddr(context.Background(), echo6Request(0x4242, 7, "metadata"), b); err != nil {
		t.Fatal(err)
	}
	m := readType6(t, c, 129, 7)
	after := time.Now()
	idx, _ := ifAddrs(t, p.A, p.AIf)
	if m.Header != nil || m.Src != b || m.Dst != a || m.TTL != 64 || m.TOS != 0 || m.IfIndex != idx {
		t.Errorf("reply: Header %v Src %v Dst %v hop limit %d tclass %d IfIndex %d (want %d)", m.Header, m.Src, m.Dst, m.TTL, m.TOS, m.IfIndex, idx)
	}
	if m.Received.Before(before) || m.Received.After(after) {
		t.Errorf("kernel timestamp %v outside [%v, %v]", m.Received, before, after)
	}
	if string(m.Data[8:]) != "metadata" {
		t.Errorf("reply data %q", m.Data[8:])
	}
	reqs := captured6(sn.Stop())
	if len(reqs) != 1 {
		t.Fatalf("B captured %d echo requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.src != a || r.dst != b || r.next != 58 || r.hlim != 64 || binary.BigEndian.Uint16(r.payload[4:]) != 0x4242 ||
		checksum6(r.src, r.dst, 58, r.payload) != 0 {
		t.Errorf("request on the wire: %v -> %v next %d hop limit %d, payload %x", r.src, r.dst, r.next, r.hlim, r.payload)
	}
}

// TestIPv6HopLimitAndTrafficClassOnTheWire: Config.TTL and Config.TOS are
// the hop limit and traffic class B captures, and so are SetTTL and
// SetTOS; B's kernel echoes the traffic class, which the reader reports.
func TestIPv6HopLimitAndTrafficClassOnTheWire(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, &Config{TTL: 9, TOS: 0xb8}) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and ip6[40] == 128")
	ctx := context.Background()
	if _, err := c.WriteToAddr(ctx, echo6Request(1, 1, "first"), p.B.Addr6()); err != nil {
		t.Fatal(err)
	}
	if m := readType6(t, c, 129, 1); m.TOS != 0xb8 {
		t.Errorf("reply traffic class %#x, want B's echo of 0xb8", m.TOS)
	}
	if err := c.SetTTL(17); err != nil {
		t.Fatal(err)
	}
	if err := c.SetTOS(0x20); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToAddr(ctx, echo6Request(1, 2, "second"), p.B.Addr6()); err != nil {
		t.Fatal(err)
	}
	readType6(t, c, 129, 2)
	got := captured6(sn.Stop())
	if len(got) != 2 || got[0].hlim != 9 || got[0].tclass != 0xb8 || got[1].hlim != 17 || got[1].tclass != 0x20 {
		for _, g := range got {
			t.Logf("captured hop limit %d tclass %#x", g.hlim, g.tclass)
		}
		t.Fatalf("captured %d requests; want hop limit 9 tclass 0xb8, then 17 and 0x20", len(got))
	}
}

// TestIPv6LinkLocalZone: a link-local destination is reached through the
// interface its zone names, by name or by index, and the reply's source
// carries the zone as the interface's name. An unknown zone and an IPv4
// destination are bad input, and nothing is sent.
func TestIPv6LinkLocalZone(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	ll := linkLocal6(t, p.B, p.BIf)
	idx, _ := ifAddrs(t, p.A, p.AIf)
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, nil) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and ip6[40] == 128")
	ctx := context.Background()
	for seq, zone := range []string{p.AIf, strconv.Itoa(idx)} {
		if _, err := c.WriteToAddr(ctx, echo6Request(9, seq, "zone"), ll.WithZone(zone)); err != nil {
			t.Fatalf("zone %q: %v", zone, err)
		}
		if m := readType6(t, c, 129, seq); m.Src != ll.WithZone(p.AIf) || !m.Dst.IsLinkLocalUnicast() || m.Dst.Zone() != p.AIf {
			t.Errorf("zone %q: reply from %v to %v, want from %v", zone, m.Src, m.Dst, ll.WithZone(p.AIf))
		}
	}
	for _, bad := range []struct{ dst, want string }{
		{ll.WithZone("nosuch0").String(), `unknown zone "nosuch0"`},
		{"10.0.0.2", "10.0.0.2 is not IPv6"},
	} {
		_, err := c.WriteToAddr(ctx, echo6Request(9, 99, "bad"), mustAddr(t, bad.dst))
		if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: got %v, want bad input saying %q", bad.dst, err, bad.want)
		}
	}
	got := captured6(sn.Stop())
	if len(got) != 2 || got[0].dst != ll || got[1].dst != ll {
		t.Fatalf("B captured %d requests, want 2 to %v", len(got), ll)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netipParse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestICMP6FilterDrops: a socket whose ICMPv6 filter passes only echo
// replies reads B's reply and nothing else, while an unfiltered socket
// opened alongside also reads the neighbour discovery that preceded it.
func TestICMP6FilterDrops(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeEchoReply)
	filtered := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, &Config{ICMP6Filter: &f}) })
	all := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, nil) })
	if _, err := filtered.WriteToAddr(context.Background(), echo6Request(5, 1, "filter"), p.B.Addr6()); err != nil {
		t.Fatal(err)
	}
	types := func(c *Conn) []int {
		var out []int
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		for range 50 {
			m, err := c.ReadMsg(ctx, make([]byte, 1500))
			if err != nil {
				break
			}
			out = append(out, int(m.Data[0]))
		}
		return out
	}
	if got := types(filtered); !slices.Equal(got, []int{129}) {
		t.Errorf("filtered socket read types %v, want only the echo reply [129]", got)
	}
	got := types(all)
	if !slices.Contains(got, 129) || !slices.Contains(got, 136) {
		t.Errorf("unfiltered socket read types %v, want the neighbour advertisement (136) and the reply (129)", got)
	}
}
