//go:build linux && privileged

package netlab_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/ipv4"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

const port = 7000

// listenUDP opens a UDP socket bound to addr:port inside h.
func listenUDP(t *testing.T, h *netlab.Host, addr netip.Addr) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	err := h.Do(func() (err error) {
		c, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, port)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// sendUDP sends n datagrams "seq N" from h to dst:port, from inside h.
func sendUDP(t *testing.T, h *netlab.Host, dst netip.Addr, n int) {
	t.Helper()
	err := h.Do(func() error {
		c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, port)))
		if err != nil {
			return err
		}
		defer c.Close()
		for i := range n {
			if _, err := fmt.Fprintf(c, "seq %d", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readAll reads datagrams until none comes for quiet.
func readAll(t *testing.T, c *net.UDPConn, quiet time.Duration) [][]byte {
	t.Helper()
	var got [][]byte
	buf := make([]byte, 2048)
	for {
		c.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]byte(nil), buf[:n]...))
	}
}

type decoded struct {
	ip   layers.IPv4
	udp  layers.UDP
	icmp layers.ICMPv4
}

// decode parses a captured frame from the IPv4 header, checking that the
// link layer was Ethernet (veth).
func decode(t *testing.T, p netlab.Packet) *decoded {
	t.Helper()
	if p.LinkType != capture.LinkEthernet {
		t.Fatalf("link type %v, want Ethernet", p.LinkType)
	}
	b := p.IPv4()
	if b == nil {
		t.Fatalf("not IPv4: % x", p.Data)
	}
	d := &decoded{}
	if err := d.ip.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		t.Fatal(err)
	}
	var err error
	switch d.ip.Protocol {
	case layers.IPProtocolUDP:
		err = d.udp.DecodeFromBytes(d.ip.Payload, gopacket.NilDecodeFeedback)
	case layers.IPProtocolICMPv4:
		err = d.icmp.DecodeFromBytes(d.ip.Payload, gopacket.NilDecodeFeedback)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// udpChecksumOK recomputes the UDP checksum of a captured packet.
func udpChecksumOK(t *testing.T, d *decoded) bool {
	t.Helper()
	u := d.udp
	want := u.Checksum
	if err := u.SetNetworkLayerForChecksum(&d.ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true},
		&u, gopacket.Payload(u.Payload))
	if err != nil {
		t.Fatal(err)
	}
	got := uint16(buf.Bytes()[6])<<8 | uint16(buf.Bytes()[7])
	return got == want
}

func TestPairRoundTrip(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	if p.A.Addr() != netip.MustParseAddr("10.0.0.1") || p.B.Addr() != netip.MustParseAddr("10.0.0.2") {
		t.Fatalf("addresses %v %v", p.A.Addr(), p.B.Addr())
	}
	s := netlabtest.Sniff(t, p.B, p.BIf, fmt.Sprintf("udp port %d", port))
	srv := listenUDP(t, p.B, p.B.Addr())
	sendUDP(t, p.A, p.B.Addr(), 1)

	// The server socket, opened inside B, answers from B.
	buf := make([]byte, 100)
	srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := srv.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if from.Addr() != p.A.Addr() || string(buf[:n]) != "seq 0" {
		t.Fatalf("B got %q from %v", buf[:n], from)
	}
	if _, err := srv.WriteToUDPAddrPort([]byte("pong"), from); err != nil {
		t.Fatal(err)
	}

	pkts := s.Stop()
	if len(pkts) != 2 {
		t.Fatalf("captured %d packets, want 2", len(pkts))
	}
	for i, want := range []struct {
		src, dst netip.Addr
		payload  string
	}{{p.A.Addr(), p.B.Addr(), "seq 0"}, {p.B.Addr(), p.A.Addr(), "pong"}} {
		d := decode(t, pkts[i])
		src, _ := netip.AddrFromSlice(d.ip.SrcIP)
		dst, _ := netip.AddrFromSlice(d.ip.DstIP)
		if src != want.src || dst != want.dst || string(d.udp.Payload) != want.payload || d.ip.TTL != 64 {
			t.Errorf("packet %d: %v > %v ttl %d %q, want %v > %v ttl 64 %q",
				i, src, dst, d.ip.TTL, d.udp.Payload, want.src, want.dst, want.payload)
		}
		if !udpChecksumOK(t, d) {
			t.Errorf("packet %d: UDP checksum %#04x is wrong on the wire (offload not off?)", i, d.udp.Checksum)
		}
		if pkts[i].Timestamp.IsZero() || time.Since(pkts[i].Timestamp) > time.Minute {
			t.Errorf("packet %d: timestamp %v", i, pkts[i].Timestamp)
		}
	}
}

func TestChainTTLAndRoutes(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 3)
	wantAddrs := map[string]netip.Addr{
		"client": netip.MustParseAddr("10.0.1.1"),
		"r1":     netip.MustParseAddr("10.0.1.2"),
		"r3":     netip.MustParseAddr("10.0.3.2"),
		"server": netip.MustParseAddr("10.0.4.2"),
	}
	gotAddrs := map[string]netip.Addr{
		"client": c.Client.Addr(), "r1": c.RouterAddr(0), "r3": c.Hop(3), "server": c.Hop(4),
	}
	for k, want := range wantAddrs {
		if gotAddrs[k] != want {
			t.Errorf("%s address %v, want %v", k, gotAddrs[k], want)
		}
	}

	atServer := netlabtest.Sniff(t, c.Server, "eth0", "udp")
	atClient := netlabtest.Sniff(t, c.Client, "eth0", "udp")
	srv := listenUDP(t, c.Server, c.Server.Addr())
	cli := listenUDP(t, c.Client, c.Client.Addr())
	sendUDP(t, c.Client, c.Server.Addr(), 1)
	sendUDP(t, c.Server, c.Client.Addr(), 1)
	if got := readAll(t, srv, 300*time.Millisecond); len(got) != 1 {
		t.Errorf("server socket got %d datagrams, want 1", len(got))
	}
	if got := readAll(t, cli, 300*time.Millisecond); len(got) != 1 {
		t.Errorf("client socket got %d datagrams, want 1", len(got))
	}
	for _, tc := range []struct {
		where    string
		s        *netlabtest.Sniffer
		src, dst netip.Addr
	}{
		{"server", atServer, c.Client.Addr(), c.Server.Addr()},
		{"client", atClient, c.Server.Addr(), c.Client.Addr()},
	} {
		var arrived []*decoded
		for _, p := range tc.s.Stop() {
			if d := decode(t, p); netip.AddrFrom4([4]byte(d.ip.DstIP)) == tc.dst {
				arrived = append(arrived, d)
			}
		}
		if len(arrived) != 1 {
			t.Fatalf("at the %s: %d datagrams to %v, want 1", tc.where, len(arrived), tc.dst)
		}
		d := arrived[0]
		if src := netip.AddrFrom4([4]byte(d.ip.SrcIP)); src != tc.src || d.ip.TTL != 61 {
			t.Errorf("at the %s: from %v ttl %d, want from %v ttl 61 (three routers)", tc.where, src, d.ip.TTL, tc.src)
		}
	}
}

func TestChainUnreachable(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 2)
	s := netlabtest.Sniff(t, c.Client, "eth0", "icmp")
	sendUDP(t, c.Client, c.Unreachable(), 1)
	// The last router gives up after three ARP probes 250 ms apart.
	time.Sleep(1500 * time.Millisecond)
	pkts := s.Stop()
	if len(pkts) != 1 {
		t.Fatalf("captured %d ICMP packets, want 1", len(pkts))
	}
	d := decode(t, pkts[0])
	src := netip.AddrFrom4([4]byte(d.ip.SrcIP))
	if d.icmp.TypeCode != layers.CreateICMPv4TypeCode(layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodeHost) ||
		src != c.RouterAddr(1) {
		t.Fatalf("got %v from %v, want host unreachable from %v", d.icmp.TypeCode, src, c.RouterAddr(1))
	}
}

// lossBounds: Binomial(200, 0.5) has mean 100 and standard deviation
// 7.1; 60 to 140 is 5.6 deviations out, a false failure about 1 in 10^7.
const lossSent, lossMin, lossMax = 200, 60, 140

func TestLossOnRouter(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 1)
	netlabtest.Loss(t, c.Routers[0], "eth1", 50)
	s := netlabtest.Sniff(t, c.Server, "eth0", fmt.Sprintf("udp port %d", port))
	srv := listenUDP(t, c.Server, c.Server.Addr())
	sendUDP(t, c.Client, c.Server.Addr(), lossSent)
	got := readAll(t, srv, 300*time.Millisecond)
	seen := len(s.Stop())
	if seen < lossMin || seen > lossMax {
		t.Errorf("capture saw %d of %d datagrams with 50%% loss, want %d to %d", seen, lossSent, lossMin, lossMax)
	}
	if len(got) != seen {
		t.Errorf("socket read %d datagrams, capture saw %d", len(got), seen)
	}
}

func TestLossIn(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	netlabtest.LossIn(t, p.B, p.BIf, 50)
	s := netlabtest.Sniff(t, p.A, p.AIf, fmt.Sprintf("udp port %d", port))
	srv := listenUDP(t, p.B, p.B.Addr())
	sendUDP(t, p.A, p.B.Addr(), lossSent) // no EPERM: the sender is not told
	got := readAll(t, srv, 300*time.Millisecond)
	if seen := len(s.Stop()); seen != lossSent {
		t.Errorf("capture at the sender saw %d datagrams leave, want %d", seen, lossSent)
	}
	if len(got) < lossMin || len(got) > lossMax {
		t.Errorf("socket read %d of %d datagrams with 50%% loss, want %d to %d", len(got), lossSent, lossMin, lossMax)
	}
}

func TestDuplicate(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	netlabtest.Duplicate(t, p.A, p.AIf, p.B.Addr())
	s := netlabtest.Sniff(t, p.B, p.BIf, fmt.Sprintf("udp port %d", port))
	srv := listenUDP(t, p.B, p.B.Addr())
	const sent = 20
	sendUDP(t, p.A, p.B.Addr(), sent)
	got := readAll(t, srv, 300*time.Millisecond)
	pkts := s.Stop()
	if len(pkts) != 2*sent || len(got) != 2*sent {
		t.Fatalf("capture saw %d, socket read %d; want %d each", len(pkts), len(got), 2*sent)
	}
	count := map[string]int{}
	for _, b := range got {
		count[string(b)]++
	}
	for i := range sent {
		if n := count[fmt.Sprintf("seq %d", i)]; n != 2 {
			t.Errorf("seq %d arrived %d times, want 2", i, n)
		}
	}
}

func TestLinkMTU(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 2)
	if err := c.Links[1].SetMTU(t.Context(), 1280); err != nil {
		t.Fatal(err)
	}
	for _, h := range []*netlab.Host{c.Routers[0], c.Routers[1]} {
		out, err := h.Run(t.Context(), "ip", "-o", "link", "show")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte("mtu 1280")) {
			t.Errorf("%s: no interface with mtu 1280:\n%s", h, out)
		}
	}
}

func TestSniffBurst(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	s := netlabtest.Sniff(t, p.B, p.BIf, fmt.Sprintf("udp port %d", port))
	listenUDP(t, p.B, p.B.Addr())
	const sent = 1000
	sendUDP(t, p.A, p.B.Addr(), sent)
	pkts := s.Stop()
	if len(pkts) != sent {
		t.Fatalf("captured %d of a burst of %d", len(pkts), sent)
	}
	for i, pk := range pkts {
		if got, want := string(decode(t, pk).udp.Payload), fmt.Sprintf("seq %d", i); got != want {
			t.Fatalf("packet %d: %q, want %q", i, got, want)
		}
	}
}

// TestSniffAnyAndLoopback: a capture on "any" gets LINUX_SLL2 headers that
// Packet.Network skips, and sees a packet on lo once, as one on lo does.
func TestSniffAnyAndLoopback(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	filter := fmt.Sprintf("udp port %d", port)
	anyIf := netlabtest.Sniff(t, p.B, "any", filter)
	lo := netlabtest.Sniff(t, p.B, "lo", filter)
	loopback := netip.MustParseAddr("127.0.0.1")
	listenUDP(t, p.B, p.B.Addr())
	listenUDP(t, p.B, loopback)
	sendUDP(t, p.A, p.B.Addr(), 3)
	sendUDP(t, p.B, loopback, 2)

	type seen struct {
		src, dst netip.Addr
		payload  string
	}
	want := []seen{
		{p.A.Addr(), p.B.Addr(), "seq 0"}, {p.A.Addr(), p.B.Addr(), "seq 1"}, {p.A.Addr(), p.B.Addr(), "seq 2"},
		{loopback, loopback, "seq 0"}, {loopback, loopback, "seq 1"},
	}
	for _, tc := range []struct {
		s    *netlabtest.Sniffer
		link capture.LinkType
		want []seen
	}{{anyIf, capture.LinkLinuxSLL2, want}, {lo, capture.LinkEthernet, want[3:]}} {
		pkts := tc.s.Stop()
		var got []seen
		for _, pk := range pkts {
			if pk.LinkType != tc.link {
				t.Fatalf("link type %v, want %v", pk.LinkType, tc.link)
			}
			var ip layers.IPv4
			var udp layers.UDP
			if err := ip.DecodeFromBytes(pk.IPv4(), gopacket.NilDecodeFeedback); err != nil {
				t.Fatalf("% x: %v", pk.Data, err)
			}
			if err := udp.DecodeFromBytes(ip.Payload, gopacket.NilDecodeFeedback); err != nil {
				t.Fatal(err)
			}
			got = append(got, seen{netip.AddrFrom4([4]byte(ip.SrcIP)), netip.AddrFrom4([4]byte(ip.DstIP)), string(udp.Payload)})
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v capture saw\n%v\nwant\n%v", tc.link, got, tc.want)
		}
	}
}

// TestChainNoICMPRateLimit: a router answers every one of a burst of
// expiring datagrams, and the server every one to a closed port (the
// kernel's defaults would let about 50 through).
func TestChainNoICMPRateLimit(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	c := netlabtest.NewChain(t, 2)
	s := netlabtest.Sniff(t, c.Client, "eth0", "icmp")
	const burst = 300
	for _, ttl := range []int{1, 64} {
		err := c.Client.Do(func() error {
			// Unconnected: a connected socket would fail every other
			// send with the previous datagram's ICMP error.
			conn, err := net.ListenUDP("udp4", nil)
			if err != nil {
				return err
			}
			defer conn.Close()
			if err := ipv4.NewConn(conn).SetTTL(ttl); err != nil {
				return err
			}
			dst := netip.AddrPortFrom(c.Server.Addr(), port)
			for range burst {
				if _, err := conn.WriteToUDPAddrPort([]byte("x"), dst); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]int{}
	for _, p := range s.Stop() {
		d := decode(t, p)
		count[fmt.Sprintf("%v from %v", d.icmp.TypeCode, netip.AddrFrom4([4]byte(d.ip.SrcIP)))]++
	}
	want := map[string]int{
		fmt.Sprintf("%v from %v", layers.CreateICMPv4TypeCode(layers.ICMPv4TypeTimeExceeded, layers.ICMPv4CodeTTLExceeded), c.RouterAddr(0)):    burst,
		fmt.Sprintf("%v from %v", layers.CreateICMPv4TypeCode(layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort), c.Server.Addr()): burst,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, count[k], n, count)
		}
	}
}
