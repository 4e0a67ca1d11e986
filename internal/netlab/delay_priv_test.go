//go:build linux && privileged

package netlab_test

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestDelay: IPv4 and IPv6 packets leaving A, both families at once,
// wait 50 ms, checked against B's capture; the reply, not delayed, comes
// back at once.
func TestDelay(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	const delay = 50 * time.Millisecond
	p := netlabtest.NewPair(t)
	dl := netlabtest.Delay(t, p.A, p.AIf, delay)
	s := netlabtest.Sniff(t, p.B, p.BIf, fmt.Sprintf("udp port %d", port))
	fams := []*delayEcho{
		newDelayEcho(t, p, "udp4", p.B.Addr()),
		newDelayEcho(t, p, "udp6", p.B.Addr6()),
	}
	const n = 20
	buf := make([]byte, 100)
	for i := range n {
		for _, f := range fams { // both in flight at once
			f.sent[i] = time.Now()
			if _, err := fmt.Fprintf(f.c, "seq %d", i); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range fams {
			f.c.SetReadDeadline(time.Now().Add(5 * time.Second))
			m, err := f.c.Read(buf)
			if err != nil {
				t.Fatalf("%s: %v", f.network, err)
			}
			rtt := time.Since(f.sent[i])
			f.rtts = append(f.rtts, rtt)
			// Each echo waits at least the delay; a loaded machine may
			// add to it now and then, so the tight bound is on the median.
			if string(buf[:m]) != fmt.Sprintf("seq %d", i) || rtt < delay || rtt > delay+time.Second {
				t.Errorf("%s echo %d: %q after %v, want the same back after %v to %v", f.network, i, buf[:m], rtt, delay, delay+time.Second)
			}
		}
	}
	for _, f := range fams {
		slices.Sort(f.rtts)
		if med := f.rtts[n/2]; med > delay+20*time.Millisecond {
			t.Errorf("%s: median round trip %v, want %v to %v", f.network, med, delay, delay+20*time.Millisecond)
		}
	}
	arrived := map[string]int{}
	for _, pk := range s.Stop() {
		f, payload := fams[0], []byte(nil)
		if b := pk.IPv4(); b != nil {
			d := decode(t, pk)
			if netip.AddrFrom4([4]byte(d.ip.DstIP)) != p.B.Addr() {
				continue
			}
			payload = d.udp.Payload
		} else if b := pk.IPv6(); len(b) >= 48 && b[6] == 17 {
			if netip.AddrFrom16([16]byte(b[24:40])) != p.B.Addr6() {
				continue
			}
			f, payload = fams[1], b[48:]
		} else {
			continue
		}
		var i int
		if _, err := fmt.Sscanf(string(payload), "seq %d", &i); err != nil || i < 0 || i >= n {
			t.Errorf("%s: unexpected datagram %q in the capture", f.network, payload)
			continue
		}
		if late := pk.Timestamp.Sub(f.sent[i]); late < delay {
			t.Errorf("%s: seq %d reached B %v after it was sent, want at least %v", f.network, i, late, delay)
		}
		arrived[f.network]++
	}
	for _, f := range fams {
		if arrived[f.network] != n {
			t.Errorf("B's capture saw %d %s datagrams, want %d", arrived[f.network], f.network, n)
		}
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	// The echoes, plus IPv6 neighbour discovery A sends on the link.
	if dl.Delayed() < 2*n {
		t.Errorf("delayed %d packets, want at least %d", dl.Delayed(), 2*n)
	}
}

// delayEcho is one family's side of TestDelay: a UDP echo server on B
// and a client on A connected to it.
type delayEcho struct {
	network string
	c       *net.UDPConn
	sent    []time.Time
	rtts    []time.Duration
}

func newDelayEcho(t *testing.T, p *netlab.Pair, network string, dst netip.Addr) *delayEcho {
	t.Helper()
	dstPort := netip.AddrPortFrom(dst, port)
	var srv, c *net.UDPConn
	err := p.B.Do(func() (err error) {
		srv, err = net.ListenUDP(network, net.UDPAddrFromAddrPort(dstPort))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	go func() { // echo server, until the cleanup closes it
		buf := make([]byte, 100)
		for {
			n, from, err := srv.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			srv.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	err = p.A.Do(func() (err error) {
		c, err = net.DialUDP(network, nil, net.UDPAddrFromAddrPort(dstPort))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &delayEcho{network: network, c: c, sent: make([]time.Time, 20)}
}

// TestDelayCloseReleases: packets held when the delay stops go on at
// once instead of being dropped.
func TestDelayCloseReleases(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	dl := netlabtest.Delay(t, p.A, p.AIf, 10*time.Second)
	srv := listenUDP(t, p.B, p.B.Addr())
	const n = 50
	sendUDP(t, p.A, p.B.Addr(), n)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, srv, 300*time.Millisecond)
	if len(got) != n {
		t.Errorf("after Close, B read %d datagrams, want %d", len(got), n)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("held packets took %v to arrive after Close", el)
	}
}
