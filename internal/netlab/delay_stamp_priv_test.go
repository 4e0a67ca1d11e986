//go:build linux && privileged

package netlab_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// A forwarded packet's delay counts from its arrival at the router, not
// from when the delay's listener read it: a listener that reads every
// packet 10 ms late, as on a busy machine, still lets each go 20 ms
// after it came (checked by captures on both sides of the router), for
// a delay on the way out (StartDelay) and on the way in (StartDelayIn).
// Counted from the read, each would leave 30 ms after.
func TestDelayCountsFromArrival(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	for _, c := range []struct {
		name, iface string
		in          bool
	}{{"out", "eth1", false}, {"in", "eth0", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			testDelayCountsFromArrival(t, c.iface, c.in)
		})
	}
}

func testDelayCountsFromArrival(t *testing.T, iface string, in bool) {
	const delay, late, n = 20 * time.Millisecond, 10 * time.Millisecond, 7
	c := netlabtest.NewChain(t, 1)
	r := c.Routers[0]
	dl, err := r.StartDelaySlowReader(context.Background(), iface, delay, in, func() { time.Sleep(late) })
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	const filter = "udp port 7777"
	cameS, leftS := netlabtest.Sniff(t, r, "eth0", filter), netlabtest.Sniff(t, c.Server, "eth0", filter)
	// Unconnected: the server's port unreachable answers must not fail
	// the writes.
	var conn *net.UDPConn
	err = c.Client.Do(func() (err error) {
		conn, err = net.ListenUDP("udp4", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dst := netip.AddrPortFrom(c.Server.Addr(), 7777)
	for i := range n {
		if _, err := conn.WriteToUDPAddrPort(fmt.Appendf(nil, "seq %d", i), dst); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * delay)
	}
	came, left := seqTimes(t, cameS.Stop()), seqTimes(t, leftS.Stop())
	var held []time.Duration
	for i := range n {
		a, ok1 := came[i]
		b, ok2 := left[i]
		if !ok1 || !ok2 {
			t.Fatalf("seq %d: seen coming %v, leaving %v", i, ok1, ok2)
		}
		if d := b.Sub(a); d < delay {
			t.Errorf("seq %d held %v, want at least %v", i, d, delay)
		}
		held = append(held, b.Sub(a))
	}
	slices.Sort(held)
	if med := held[n/2]; med >= delay+late/2 {
		t.Errorf("median hold %v (all: %v), want under %v: the delay counted from the late read", med, held, delay+late/2)
	}
}

// seqTimes maps each "seq N" datagram of a capture to when it was seen.
func seqTimes(t *testing.T, pkts []netlab.Packet) map[int]time.Time {
	t.Helper()
	m := map[int]time.Time{}
	for _, p := range pkts {
		b := p.IPv4()
		if len(b) < 28 {
			continue
		}
		var i int
		if _, err := fmt.Sscanf(strings.TrimSpace(string(b[28:])), "seq %d", &i); err == nil {
			if _, dup := m[i]; !dup {
				m[i] = p.Timestamp
			}
		}
	}
	return m
}
