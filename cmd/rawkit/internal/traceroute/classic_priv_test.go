//go:build linux && privileged

package traceroute

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestTracerouteECMPTCPParisVersusClassic is the TCP counterpart of
// TestTracerouteECMPParisVersusClassic, over IPv4 and IPv6: over 20
// traces, Paris TCP (one source port per trace) keeps one branch of the
// diamond in every trace, and classic TCP (one source port per probe)
// mixes the branches at hop 2.
func TestTracerouteECMPTCPParisVersusClassic(t *testing.T) {
	netlabtest.Privileged(t)
	d := netlabtest.NewDiamond(t)
	for _, fam := range []struct {
		name   string
		server netip.Addr
		up     netip.Addr
		down   netip.Addr
	}{
		{"ipv4", d.Server.Addr(), d.Branches[0].Addr(), d.Branches[1].Addr()},
		{"ipv6", d.Server.Addr6(), d.Branches[0].Addr6(), d.Branches[1].Addr6()},
	} {
		t.Run(fam.name, func(t *testing.T) {
			branches := map[string]bool{fam.up.String(): true, fam.down.String(): true}
			mixedTraces := func(classic bool) (int, map[string]bool) {
				server := fam.server.String()
				return diamondTraces(t, d, branches, server, classic, "-n", "-T", "-w", "1", "-m", "6", server)
			}
			if mixed, used := mixedTraces(false); mixed != 0 {
				t.Errorf("Paris TCP: %d of 20 traces mixed the branches at hop 2 (branches used: %v)", mixed, used)
			} else {
				t.Logf("Paris TCP: every trace kept one branch; branches used over 20 traces: %v", used)
			}
			mixed, used := mixedTraces(true)
			// Each trace's 3 probes at hop 2 take one branch with
			// chance 1/4: no mixed trace in 20 has chance 4^-20.
			if mixed == 0 {
				t.Errorf("classic TCP: no trace of 20 mixed the branches at hop 2 (branches used: %v)", used)
			}
			t.Logf("classic TCP: %d of 20 traces mixed the branches at hop 2", mixed)
		})
	}
}

// TestTracerouteTCPClassicPorts checks classic TCP probes on the wire,
// over IPv4 and IPv6, toward a listening port: each SYN comes from a
// source port of its own and goes to the port asked for (-p); the routers'
// time exceeded and the server's SYN-ACK are matched to their probes (the
// hop lines); the client's kernel resets every SYN-ACK, at the port it
// came to, and the server never accepts a connection.
func TestTracerouteTCPClassicPorts(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	const port = 8080
	var ln *net.TCPListener
	if err := c.Server.Do(func() (err error) {
		ln, err = net.ListenTCP("tcp", &net.TCPAddr{Port: port}) // both families
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, fam := range []struct {
		name   string
		server netip.Addr
		hop    func(int) netip.Addr
	}{{"ipv4", c.Server.Addr(), c.Hop}, {"ipv6", c.Server.Addr6(), c.Hop6}} {
		t.Run(fam.name, func(t *testing.T) {
			s := netlabtest.Sniff(t, c.Client, "eth0", "tcp port "+strconv.Itoa(port))
			out, code := traceInProc(t, c.Client, "-n", "-T", "--classic", "-p", strconv.Itoa(port),
				"-m", "5", "-w", "2", fam.server.String())
			segs := tcpCaptured(s.Stop())
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 3 {
				t.Fatalf("exit %d, %d hops, want 0 and 3:\n%s", code, len(hops), out)
			}
			for i, h := range hops {
				for _, f := range h.from {
					if f != fam.hop(i+1).String() {
						t.Errorf("hop %d answered by %q, want %v:\n%s", i+1, f, fam.hop(i+1), out)
					}
				}
			}
			client := c.Client.Addr()
			if fam.server.Is6() {
				client = c.Client.Addr6()
			}
			sports := map[uint16]bool{}
			synacked := map[uint16]bool{}
			var syns, synacks, resets int
			for _, g := range segs {
				switch {
				case g.src == client && g.flags == 0x02: // a probe
					syns++
					sports[g.sport] = true
					if g.dport != port || g.dst != fam.server {
						t.Errorf("probe %v.%d > %v.%d: want destination %v.%d", g.src, g.sport, g.dst, g.dport, fam.server, port)
					}
				case g.src == fam.server && g.flags == 0x12:
					synacks++
					synacked[g.dport] = true
				case g.src == client && g.flags&0x04 != 0:
					if !synacked[g.sport] {
						t.Errorf("reset from port %d, which no SYN-ACK reached", g.sport)
					}
					resets++
				}
			}
			// 3 probes a TTL, from TTL 3 on they reach the server: those
			// of TTLs 1 to 3, and of 4 and 5 unless the server's answer
			// came before they went out.
			if syns < 9 || syns > 15 || len(sports) != syns {
				t.Errorf("capture: %d SYNs from %d source ports, want 9 to 15, each from its own", syns, len(sports))
			}
			if synacks != syns-6 || resets != synacks {
				t.Errorf("capture: %d SYN-ACKs and %d resets from the client, want %d and %d", synacks, resets, syns-6, syns-6)
			}
			t.Logf("%d SYNs from %d source ports to port %d, %d SYN-ACKs, %d resets", syns, len(sports), port, synacks, resets)
		})
	}
	ln.SetDeadline(time.Now().Add(100 * time.Millisecond))
	if conn, err := ln.Accept(); err == nil {
		conn.Close()
		t.Error("the server accepted a connection")
	}
}

// tcpSeen is a captured TCP segment's addresses, ports and flags.
type tcpSeen struct {
	src, dst     netip.Addr
	sport, dport uint16
	flags        byte
}

// tcpCaptured reads the TCP segments of a capture, IPv4 or IPv6 (no
// extension headers).
func tcpCaptured(pkts []netlab.Packet) []tcpSeen {
	var out []tcpSeen
	for _, p := range pkts {
		var g tcpSeen
		var l4 []byte
		if b := p.IPv4(); b != nil && b[9] == 6 {
			g.src, g.dst = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
			l4 = b[int(b[0]&15)*4:]
		} else if b := p.IPv6(); b != nil && b[6] == 6 {
			g.src, g.dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
			l4 = b[40:]
		}
		if len(l4) < 20 {
			continue
		}
		g.sport, g.dport, g.flags = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:]), l4[13]
		out = append(out, g)
	}
	return out
}
