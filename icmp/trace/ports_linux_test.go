package trace

import (
	"github.com/rawkit/rawkit/icmp/internal/sockaddr"

	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReserveProbePorts holds the most ports a classic TCP trace asks
// for (255 TTLs of 10 probes): all distinct, none of them bindable by
// another socket while held, all free again once closed.
func TestReserveProbePorts(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	n := 255 * MaxQueries
	start := time.Now()
	ports, c, err := reserveProbePorts(lo, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d ports reserved in %v", n, time.Since(start))
	seen := map[uint16]bool{}
	for _, p := range ports {
		seen[p] = true
	}
	if len(ports) != n || len(seen) != n {
		t.Errorf("%d ports, %d distinct, want %d", len(ports), len(seen), n)
	}
	bind := func(port uint16) error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		return unix.Bind(fd, sockaddr.From(lo, int(port)))
	}
	for _, p := range []uint16{ports[0], ports[n/2], ports[n-1]} {
		if err := bind(p); !errors.Is(err, unix.EADDRINUSE) {
			t.Errorf("port %d held, yet another bind gave %v", p, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []uint16{ports[0], ports[n-1]} {
		if err := bind(p); err != nil {
			t.Errorf("port %d after Close: %v", p, err)
		}
	}
}
