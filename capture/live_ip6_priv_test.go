//go:build linux && privileged

package capture_test

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/capture/internal/corpus"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestKernelWalksIP6Extensions: the kernel runs the extension header
// walk as the user-space Filter does. Frames with IPv6 extension headers
// are sent on lo of a fresh namespace (where nothing routes them
// anywhere) and captured on lo (Ethernet) and on any (SOCK_DGRAM, the
// kernel layout); each capture must hold exactly the frames Filter
// selects, each once.
func TestKernelWalksIP6Extensions(t *testing.T) {
	netlabtest.Privileged(t)
	const expr = "udp port 53 or tcp dst port 80 or icmp6[icmp6type] == icmp6-echo"
	var names []string
	var frames [][]byte
	for _, p := range corpus.Ext6() {
		names, frames = append(names, p.Name), append(frames, p.Data)
	}
	want := map[string]bool{"hbh udp 53": true, "dst rt tcp 80": true, "first frag udp 53": true,
		"hbh icmp6 echo": true, "6 headers tcp 80": true}
	flt, err := filter.New(expr, capture.LinkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		if got := flt.Match(f, len(f)); got != want[names[i]] {
			t.Fatalf("Filter on %s: %v, want %v", names[i], got, want[names[i]])
		}
	}
	h := netlabtest.NewHost(t)
	var onLo, onAny *capture.Collector
	err = h.Do(func() error {
		var err error
		if onLo, err = capture.Collect("lo", &capture.Config{Filter: expr}); err != nil {
			return err
		}
		if onAny, err = capture.Collect("any", &capture.Config{Filter: expr}); err != nil {
			return err
		}
		lo, err := net.InterfaceByName("lo")
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		for _, f := range frames {
			sa := &unix.SockaddrLinklayer{Ifindex: lo.Index, Protocol: 0xdd86, Halen: 6}
			copy(sa.Addr[:], f[:6])
			if err := unix.Sendto(fd, f, 0, sa); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, col *capture.Collector, hdr int) {
		pkts, _, err := col.Stop()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, p := range pkts {
			if len(p.Data) < hdr {
				t.Fatalf("%s: short packet %x", name, p.Data)
			}
			found := ""
			for i, f := range frames {
				if bytes.Equal(p.Data[hdr:], f[14:]) {
					found = names[i]
				}
			}
			if found == "" {
				t.Errorf("%s: unexpected packet %x", name, p.Data)
				continue
			}
			got = append(got, found)
		}
		var exp []string
		for _, n := range names {
			if want[n] {
				exp = append(exp, n)
			}
		}
		if strings.Join(got, ",") != strings.Join(exp, ",") {
			t.Errorf("%s: kernel kept %q, want %q", name, got, exp)
		}
	}
	check("lo", onLo, 14)
	check("any", onAny, 20)
}
