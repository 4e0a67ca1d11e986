//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/ipv6"
)

// udp6Packet builds an IPv6/UDP packet by hand: traffic class 0x28, flow
// label 0xabcde, hop limit 33, and a correct UDP checksum.
func udp6Packet(src, dst netip.Addr, data string) []byte {
	udp := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint16(udp, 40000)
	binary.BigEndian.PutUint16(udp[2:], 9)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(data)))
	udp = append(udp, data...)
	binary.BigEndian.PutUint16(udp[6:], checksum6(src, dst, 17, udp))
	h := make([]byte, 40, 40+len(udp))
	binary.BigEndian.PutUint32(h, 6<<28|0x28<<20|0xabcde)
	binary.BigEndian.PutUint16(h[4:], uint16(len(udp)))
	h[6], h[7] = 17, 33
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return append(h, udp...)
}

// TestIPv6HeaderIncludedArrivesAsBuilt: with IPV6_HDRINCL, and on an
// IPPROTO_RAW socket, the packet B captures is byte for byte the one A
// wrote, sent to the given destination or to the header's.
func TestIPv6HeaderIncludedArrivesAsBuilt(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr6(), p.B.Addr6()
	hdrincl := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(17, &Config{HeaderIncluded: true}) })
	rawProto := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(255, nil) })
	sn := netlabtest.Sniff(t, p.B, p.BIf, "ip6 and udp and dst port 9")
	pkts := [][]byte{udp6Packet(a, b, "hdrincl"), udp6Packet(a, b, "ipproto-raw")}
	if _, err := hdrincl.WriteToAddr(context.Background(), pkts[0], b); err != nil {
		t.Fatal(err)
	}
	if _, err := rawProto.WriteToAddr(context.Background(), pkts[1], netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	got := captured6(sn.Stop())
	if len(got) != 2 {
		t.Fatalf("B captured %d packets, want 2", len(got))
	}
	for i, g := range got {
		if string(g.raw) != string(pkts[i]) {
			t.Errorf("packet %d on the wire\n%x\nwant\n%x", i, g.raw, pkts[i])
		}
	}
	// A header that is not IPv6 is refused before anything is sent.
	bad := udp6Packet(a, b, "bad")
	bad[0] = 0x45
	if _, err := hdrincl.WriteToAddr(context.Background(), bad, b); !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), "IP version 4, want 6") {
		t.Errorf("IPv4 header on an IPv6 socket: %v", err)
	}
}

// TestPing6SocketAsNobody: user nobody, in a group of ping_group_range,
// opens an ICMPv6 ping socket and gets B's reply, matched by the
// identifier the kernel chose; a raw IPv6 socket is refused with the
// hint. B's capture shows the request and the reply.
func TestPing6SocketAsNobody(t *testing.T) {
	b := netip.MustParseAddr("fd00::2") // NewPair's B, fixed
	if netlabtest.AsNobody() {
		if c, err := ListenIPv6(58, nil); err == nil || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "setcap cap_net_raw+ep") {
			if c != nil {
				c.Close()
			}
			t.Fatalf("raw IPv6 socket as nobody: %v", err)
		}
		c, err := ListenPing6(&Config{Timestamps: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.WriteToAddr(context.Background(), echo6Request(0, 3, "nobody6"), b); err != nil {
			t.Fatal(err)
		}
		m := readType6(t, c, 129, 3)
		if id := int(binary.BigEndian.Uint16(m.Data[4:])); id != c.LocalPort() || m.Src != b || m.TTL != 64 || m.Received.IsZero() {
			t.Fatalf("reply id %d (LocalPort %d) from %v hop limit %d received %v", id, c.LocalPort(), m.Src, m.TTL, m.Received)
		}
		return
	}
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	if p.B.Addr6() != b {
		t.Fatalf("B is %v", p.B.Addr6())
	}
	if err := p.A.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and (ip6[40] == 128 or ip6[40] == 129)")
	if out, err := netlabtest.RunAsNobody(t, p.A, t.Name()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := captured6(sn.Stop())
	if len(got) != 2 || got[0].payload[0] != 128 || got[1].payload[0] != 129 || string(got[0].payload[8:]) != "nobody6" ||
		binary.BigEndian.Uint16(got[0].payload[4:]) != binary.BigEndian.Uint16(got[1].payload[4:]) {
		t.Fatalf("B captured %d packets, want the request and its reply", len(got))
	}
}

// TestPing6SocketErrorQueue: with RecvErr, a ping6 socket reads the
// ICMPv6 time exceeded that the first router sends about a request with
// hop limit 1, as a queued error quoting the request; the capture on the
// client shows the router's message.
func TestPing6SocketErrorQueue(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 1)
	if err := c.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	conn := openIn(t, c.Client, func() (*Conn, error) { return ListenPing6(&Config{RecvErr: true, TTL: 1}) })
	sn := netlabtest.Sniff(t, c.Client, "eth0", "icmp6 and ip6[40] == 3")
	if _, err := conn.WriteToAddr(context.Background(), echo6Request(0, 4, "errqueue"), c.Server.Addr6()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	m, err := conn.ReadMsg(ctx, make([]byte, 1500))
	if err != nil {
		t.Fatal(err)
	}
	e := m.ExtErr
	if e.Origin != ErrOriginICMP6 || e.Type != 3 || e.Code != 0 || e.Offender != c.RouterAddr6(0) || m.Src != e.Offender ||
		m.Dst != c.Server.Addr6() || len(m.Data) < 8 || m.Data[0] != 128 || string(m.Data[8:]) != "errqueue" {
		t.Errorf("queued error %+v, Src %v Dst %v, data %x", e, m.Src, m.Dst, m.Data)
	}
	got := captured6(sn.Stop())
	if len(got) != 1 || got[0].src != c.RouterAddr6(0) || got[0].dst != c.Client.Addr6() {
		t.Fatalf("client captured %d time exceeded messages, want 1 from %v", len(got), c.RouterAddr6(0))
	}
}

// TestIPv6BatchAndTry: WriteBatch, ReadBatch, TryWriteTo and TryReadMsg
// on an IPv6 socket: B's capture counts every request, and every reply
// is read with its source.
func TestIPv6BatchAndTry(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeEchoReply)
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, &Config{ICMP6Filter: &f}) })
	if _, err := c.TryReadMsg(make([]byte, 100)); err != ErrWouldBlock {
		t.Fatalf("TryReadMsg on an empty socket: %v", err)
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp6 and ip6[40] == 128")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	pkts := [][]byte{echo6Request(1, 1, "a"), echo6Request(1, 2, "b"), echo6Request(1, 3, "c")}
	if n, err := c.WriteBatch(ctx, pkts, p.B.Addr6()); n != 3 || err != nil {
		t.Fatalf("WriteBatch: %d, %v", n, err)
	}
	seen := map[int]bool{}
	for len(seen) < 3 {
		ms := make([]Message, 4)
		for i := range ms {
			ms[i].Buf = make([]byte, 200)
		}
		n, err := c.ReadBatch(ctx, ms)
		if err != nil {
			t.Fatalf("ReadBatch after %d replies: %v", len(seen), err)
		}
		for _, m := range ms[:n] {
			if m.Src != p.B.Addr6() || m.TTL != 64 || m.Header != nil {
				t.Errorf("batch reply from %v hop limit %d", m.Src, m.TTL)
			}
			seen[int(binary.BigEndian.Uint16(m.Data[6:]))] = true
		}
	}
	if _, err := c.TryWriteTo(echo6Request(1, 4, "d"), p.B.Addr6()); err != nil {
		t.Fatal(err)
	}
	readType6(t, c, 129, 4)
	if got := captured6(sn.Stop()); len(got) != 4 {
		t.Errorf("B captured %d requests, want 4", len(got))
	}
}
