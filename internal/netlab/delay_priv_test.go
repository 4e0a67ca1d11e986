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
)

// TestDelay: packets leaving A wait 50 ms, checked against B's capture;
// the reply, not delayed, comes back at once.
func TestDelay(t *testing.T) {
	netlab.Privileged(t)
	t.Parallel()
	const delay = 50 * time.Millisecond
	p := netlab.NewPair(t)
	dl := p.A.Delay(t, p.AIf, delay)
	s := p.B.Sniff(t, p.BIf, fmt.Sprintf("udp port %d", port))
	srv := listenUDP(t, p.B, p.B.Addr())
	go func() { // echo server
		buf := make([]byte, 100)
		for {
			n, from, err := srv.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			srv.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	var c *net.UDPConn
	err := p.A.Do(func() (err error) {
		c, err = net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.B.Addr(), port)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 20
	sent := make([]time.Time, n)
	var rtts []time.Duration
	buf := make([]byte, 100)
	for i := range n {
		sent[i] = time.Now()
		if _, err := fmt.Fprintf(c, "seq %d", i); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		rtt := time.Since(sent[i])
		rtts = append(rtts, rtt)
		// Each echo waits at least the delay; a loaded machine may add
		// to it now and then, so the tight bound is on the median.
		if string(buf[:m]) != fmt.Sprintf("seq %d", i) || rtt < delay || rtt > delay+time.Second {
			t.Errorf("echo %d: %q after %v, want the same back after %v to %v", i, buf[:m], rtt, delay, delay+time.Second)
		}
	}
	slices.Sort(rtts)
	if med := rtts[n/2]; med > delay+20*time.Millisecond {
		t.Errorf("median round trip %v, want %v to %v", med, delay, delay+20*time.Millisecond)
	}
	pkts := s.Stop()
	var arrived int
	for _, pk := range pkts {
		d := decode(t, pk)
		if netip.AddrFrom4([4]byte(d.ip.DstIP)) != p.B.Addr() {
			continue
		}
		var i int
		fmt.Sscanf(string(d.udp.Payload), "seq %d", &i)
		if late := pk.Timestamp.Sub(sent[i]); late < delay {
			t.Errorf("seq %d reached B %v after it was sent, want at least %v", i, late, delay)
		}
		arrived++
	}
	if arrived != n {
		t.Errorf("B's capture saw %d datagrams, want %d", arrived, n)
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	if dl.Delayed() != n {
		t.Errorf("delayed %d packets, want %d", dl.Delayed(), n)
	}
}

// TestDelayCloseReleases: packets held when the delay stops go on at
// once instead of being dropped.
func TestDelayCloseReleases(t *testing.T) {
	netlab.Privileged(t)
	t.Parallel()
	p := netlab.NewPair(t)
	dl := p.A.Delay(t, p.AIf, 10*time.Second)
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
