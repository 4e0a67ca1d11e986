//go:build linux && privileged

package traceroute

import (
	"context"
	"net/netip"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/ip6defrag"
	"github.com/gopacket/gopacket/layers"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/checksum"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestTracerouteFragmentsLargeProbes: `traceroute -n HOST 3000` across
// 1500-byte links, over IPv4 and IPv6, UDP and ICMP. rawkit prints what
// Linux traceroute prints (round trips aside): it reached the host
// through fragments, where it failed with "sendmmsg: message too long".
// The capture on the server's link, decoded and reassembled by gopacket,
// sees each probe that reached it as fragments of at most 1500 bytes,
// offsets in 8-byte steps, more-fragments on all but the last, one ID
// per probe, which reassemble to the 3000-byte probe with its transport
// checksum right; TCP SYNs with data reach the closed port, whose RST
// is matched. With -F, rawkit prints traceroute's `*  X ms !F-1500`
// for each probe of hop 1 and sends nothing.
func TestTracerouteFragmentsLargeProbes(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Each run waits up to 2 s for every probe (-w 2: a lone MAX turns
	// the HERE and NEAR rules off in both tools), so that an answer
	// slowed by a loaded machine is not a * in one output only.
	rtt := regexp.MustCompile(`\d+\.\d{3} ms`)
	// compare runs Linux traceroute, then starts a capture (sniff), then
	// runs rawkit with the same arguments, and compares their text.
	compare := func(sniff func(), args ...string) string {
		t.Helper()
		want, err := c.Client.Run(ctx, "traceroute", args...)
		if err != nil {
			t.Fatalf("traceroute %v: %v", args, err)
		}
		sniff()
		got, _ := clitest.ProcRun(t, rawkitProc(ctx, c.Client, append([]string{"traceroute"}, args...)...))
		if w, g := rtt.ReplaceAllString(string(want), "X ms"), rtt.ReplaceAllString(got, "X ms"); w != g {
			t.Errorf("traceroute %v:\nLinux traceroute:\n%s\nrawkit:\n%s", args, want, got)
		}
		return got
	}
	for _, fam := range []struct {
		name   string
		server netip.Addr
		frags  string // the client's fragments
	}{
		{"ipv4", c.Server.Addr(), "src host " + c.Client.Addr().String() + " and ip[6:2] & 0x3fff != 0"},
		{"ipv6", c.Server.Addr6(), "src host " + c.Client.Addr6().String() + " and ip6[6] == 44"},
	} {
		t.Run(fam.name, func(t *testing.T) {
			server := fam.server.String()
			for _, method := range []string{"-U", "-I"} {
				var s *netlabtest.Sniffer
				out := compare(func() {
					s = netlabtest.SniffWith(t, c.Server, "eth0", fam.frags, &netlab.SniffConfig{Snaplen: 2048})
				}, "-n", "-w", "2", method, server, "3000")
				probes := reassemble(t, s.Stop(), fam.server.Is6())
				if hops := parseTrace(t, out); len(hops) != 3 || hops[2].from[0] != server {
					t.Errorf("%s: want 3 hops ending at %s:\n%s", method, server, out)
				}
				// Probes of TTL 3 and more reach the server: 3 at least.
				if len(probes) < 3 {
					t.Errorf("%s: the server's link saw %d whole probes, want 3 or more", method, len(probes))
				}
				t.Logf("%s: the server's link saw %d probes of 3000 bytes, in fragments", method, len(probes))
			}
			// TCP: traceroute -T sends no data whatever the length, so
			// rawkit is checked alone: its fragmented SYNs reach the
			// server, whose closed port 80 answers with a RST that
			// acknowledges the data too, and that RST ends the trace.
			out, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, "traceroute", "-n", "-T", "-w", "2", server, "3000"))
			if hops := parseTrace(t, out); code != 0 || len(hops) != 3 || hops[2].from[0] != server {
				t.Errorf("-T: exit %d, want 0 and 3 hops ending at %s:\n%s", code, server, out)
			}
			// -F: refused here, as traceroute's kernel refuses it.
			var s *netlabtest.Sniffer
			out = compare(func() { s = netlabtest.Sniff(t, c.Client, "eth0", "dst host "+server) }, "-n", "-F", server, "3000")
			if sent := s.Stop(); len(sent) != 0 {
				t.Errorf("-F: %d packets sent toward %s, want none", len(sent), server)
			}
			if want := " 1  *  X ms !F-1500 *  X ms !F-1500 *  X ms !F-1500\n"; !slices.Contains(splitLines(rtt.ReplaceAllString(out, "X ms")), want[:len(want)-1]) {
				t.Errorf("-F: no line %q:\n%s", want, out)
			}
		})
	}
}

func splitLines(s string) []string { return regexp.MustCompile("\n").Split(s, -1) }

// reassemble decodes captured fragments with gopacket, checks each, and
// returns the probes they reassemble to (gopacket's defragmenters), each
// checked to be 3000 bytes long with a right transport checksum. A
// fragment that does not decode, or a probe left incomplete, fails t.
func reassemble(t *testing.T, pkts []netlab.Packet, v6 bool) [][]byte {
	t.Helper()
	d4, d6 := ip4defrag.NewIPv4Defragmenter(), ip6defrag.NewIPv6Defragmenter()
	pieces := map[uint32][]int{} // fragment lengths by ID
	var whole [][]byte
	for _, p := range pkts {
		b := p.Network()
		if len(b) > 1500 || p.Length > len(p.Data) {
			t.Fatalf("a fragment of %d bytes (%d captured): over the 1500-byte MTU, or cut", len(b), len(p.Data))
		}
		if v6 {
			pk := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.Default)
			ip, _ := pk.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
			fh, _ := pk.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
			if ip == nil || fh == nil {
				t.Fatalf("capture: % x is not an IPv6 fragment", b[:min(len(b), 48)])
			}
			if fh.MoreFragments && (len(b)-48)%8 != 0 {
				t.Errorf("IPv6 fragment at %d: %d bytes of data, not a multiple of 8", fh.FragmentOffset*8, len(b)-48)
			}
			pieces[fh.Identification] = append(pieces[fh.Identification], len(b))
			if out := d6.DefragIPv6(ip, fh); out != nil {
				whole = append(whole, checkProbe(t, out.SrcIP, out.DstIP, out.NextHeader, out.Payload, 40))
			}
			continue
		}
		pk := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
		ip, _ := pk.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if ip == nil {
			t.Fatalf("capture: % x is not IPv4", b[:min(len(b), 20)])
		}
		if checksum.Checksum(b[:20]) != 0 {
			t.Errorf("IPv4 fragment id %#x at %d: header checksum wrong", ip.Id, ip.FragOffset*8)
		}
		mf := ip.Flags&layers.IPv4MoreFragments != 0
		if mf && (len(b)-20)%8 != 0 || ip.Flags&layers.IPv4DontFragment != 0 {
			t.Errorf("IPv4 fragment id %#x at %d: %d bytes of data with MF, or DF set (%v)", ip.Id, ip.FragOffset*8, len(b)-20, ip.Flags)
		}
		pieces[uint32(ip.Id)] = append(pieces[uint32(ip.Id)], len(b))
		out, err := d4.DefragIPv4(ip)
		if err != nil {
			t.Fatalf("defragment: %v", err)
		}
		if out != nil {
			whole = append(whole, checkProbe(t, out.SrcIP, out.DstIP, out.Protocol, out.Payload, 20))
		}
	}
	want := []int{1500, 1500, 40}
	if v6 {
		want = []int{1496, 1496, 112}
	}
	for id, lens := range pieces {
		if !slices.Equal(lens, want) {
			t.Errorf("probe %#x: fragments of %v bytes, want %v", id, lens, want)
		}
	}
	if len(whole) != len(pieces) {
		t.Errorf("%d probes seen, %d reassembled", len(pieces), len(whole))
	}
	return whole
}

// checkProbe checks a reassembled probe: 3000 bytes with its IP header
// of hdr bytes, and a transport checksum that verifies.
func checkProbe(t *testing.T, src, dst []byte, proto layers.IPProtocol, payload []byte, hdr int) []byte {
	t.Helper()
	if n := hdr + len(payload); n != 3000 {
		t.Errorf("reassembled probe of %d bytes, want 3000", n)
	}
	s, _ := netip.AddrFromSlice(src)
	d, _ := netip.AddrFromSlice(dst)
	var init uint64
	if proto != layers.IPProtocolICMPv4 { // ICMPv6, UDP, TCP cover a pseudo-header
		init = checksum.Pseudo(s.Unmap(), d.Unmap(), uint8(proto), len(payload))
	}
	if ^checksum.Fold(checksum.Sum(payload, init)) != 0 {
		t.Errorf("reassembled %v probe: checksum does not verify", proto)
	}
	return payload
}

// TestTracerouteFragmentsToRouteMTU: with a route MTU below the
// interface's (ip route ... mtu 1280), Linux traceroute's kernel
// fragments its 3000-byte probes to 1280 bytes, and so does rawkit: the
// capture on the client's link sees the same fragment lengths for both.
func TestTracerouteFragmentsToRouteMTU(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server := c.Server.Addr().String()
	if _, err := c.Client.Run(ctx, "ip", "route", "replace", server+"/32", "via", c.Hop(1).String(), "mtu", "1280"); err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "-q", "1", "-m", "1", "-w", "2", server, "3000"}
	lengths := func(run func()) []int {
		s := netlabtest.Sniff(t, c.Client, "eth0", "dst host "+server+" and ip[6:2] & 0x3fff != 0")
		run()
		var n []int
		for _, p := range s.Stop() {
			n = append(n, len(p.Network()))
		}
		return n
	}
	want := lengths(func() {
		if _, err := c.Client.Run(ctx, "traceroute", args...); err != nil {
			t.Fatal(err)
		}
	})
	got := lengths(func() { clitest.ProcRun(t, rawkitProc(ctx, c.Client, append([]string{"traceroute"}, args...)...)) })
	if !slices.Equal(got, want) || !slices.Equal(got, []int{1276, 1276, 488}) {
		t.Errorf("fragments of %v bytes, Linux traceroute's %v; want 1276, 1276, 488", got, want)
	}
}
