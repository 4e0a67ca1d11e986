//go:build linux && privileged

package netlab_test

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestDiamondECMP: one flow keeps one branch; many flows use both. The
// branch taken is what each branch's capture saw.
func TestDiamondECMP(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	d := netlabtest.NewDiamond(t)
	if d.Server.Addr() != netip.MustParseAddr("10.0.6.2") || d.Branches[1].Addr() != netip.MustParseAddr("10.0.3.2") {
		t.Fatalf("addresses: server %v, down %v", d.Server.Addr(), d.Branches[1].Addr())
	}
	srv := listenUDP(t, d.Server, d.Server.Addr())
	count := func(name string, flows, perFlow int) (up, down int) {
		t.Helper()
		var sniffs [2]*netlabtest.Sniffer
		for i, b := range d.Branches {
			sniffs[i] = netlabtest.Sniff(t, b, "eth0", fmt.Sprintf("udp and dst host %v", d.Server.Addr()))
		}
		err := d.Client.Do(func() error {
			for f := range flows {
				c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(d.Server.Addr(), port)))
				if err != nil {
					return err
				}
				for i := range perFlow {
					fmt.Fprintf(c, "%s flow %d seq %d", name, f, i)
				}
				c.Close()
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(readAll(t, srv, 300*time.Millisecond)); got != flows*perFlow {
			t.Errorf("%s: server read %d datagrams, want %d", name, got, flows*perFlow)
		}
		return len(sniffs[0].Stop()), len(sniffs[1].Stop())
	}
	if up, down := count("one flow", 1, 20); !(up == 20 && down == 0 || up == 0 && down == 20) {
		t.Errorf("one flow of 20 datagrams went %d up, %d down: want one branch", up, down)
	}
	// 64 flows (new source ports) all on one branch: chance 2^-63.
	if up, down := count("many flows", 64, 1); up == 0 || down == 0 || up+down != 64 {
		t.Errorf("64 flows went %d up, %d down: want both branches", up, down)
	}
}
