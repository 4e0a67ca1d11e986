//go:build linux && privileged

package capture_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestLongHostListAttaches: a filter of 200 hosts, which needed more
// than the kernel's 4,096 instructions before the optimiser, attaches to
// live sockets (on an interface and on "any") and selects the listed
// hosts' traffic only.
func TestLongHostListAttaches(t *testing.T) {
	netlabtest.Privileged(t)
	hosts := make([]string, 200)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("host 10.0.0.%d", i+1)
	}
	// The last host is one this test sends to on lo; the filter is also
	// given 127.0.0.78, which it must not select.
	hosts[199] = "host 127.0.0.77"
	expr := strings.Join(hosts, " or ")
	prog, err := filter.Compile(expr, filter.LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d instructions", len(prog))
	for _, ifname := range []string{"lo", "any"} {
		col, err := capture.Collect(ifname, &capture.Config{Filter: expr})
		if err != nil {
			t.Fatalf("%s: %v", ifname, err)
		}
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 66)})
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range []string{"127.0.0.77", "127.0.0.78", "127.0.0.77"} {
			if _, err := conn.WriteTo([]byte("long filter"), &net.UDPAddr{IP: net.ParseIP(dst), Port: 9}); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
		time.Sleep(100 * time.Millisecond)
		pkts, _, err := col.Stop()
		if err != nil {
			t.Fatal(err)
		}
		toListed := 0
		for _, p := range pkts {
			ip := p.Data[14:]
			if p.LinkType == capture.LinkLinuxSLL2 {
				ip = p.Data[20:]
			}
			if len(ip) < 20 || ip[0]>>4 != 4 {
				t.Fatalf("%s: a packet that is not IPv4 got through: %x", ifname, p.Data)
			}
			src, dst := net.IP(ip[12:16]), net.IP(ip[16:20])
			listed := func(a net.IP) bool {
				return a.Equal(net.IPv4(127, 0, 0, 77)) || a[0] == 10 && a[1] == 0 && a[2] == 0 && a[3] >= 1 && a[3] <= 199
			}
			if !listed(src) && !listed(dst) {
				t.Errorf("%s: %v > %v got through", ifname, src, dst)
			}
			if dst.Equal(net.IPv4(127, 0, 0, 77)) && ip[9] == 17 && binary.BigEndian.Uint16(ip[20+2:]) == 9 {
				toListed++
			}
		}
		// lo shows each datagram once to a capture (see
		// TestLoopbackSeesEachPacketOnce); "any" likewise.
		if toListed != 2 {
			t.Errorf("%s: %d datagrams to 127.0.0.77 captured, want 2", ifname, toListed)
		}
	}
}
