//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// One WriteBatchTo sends a request to each of 300 loopback addresses: the
// capture on lo saw each address get its own request, and a steady-state
// batch allocates nothing.
func TestWriteBatchToManyDestinations(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	c := openIn(t, h, func() (*Conn, error) { return ListenIPv4(1, &Config{}) })
	sn := netlabtest.SniffWith(t, h, "lo", "icmp[icmptype] == icmp-echo", &netlab.SniffConfig{Snaplen: 96})
	const n = 300
	pkts := make([][]byte, n)
	dsts := make([]netip.Addr, n)
	for i := range pkts {
		pkts[i] = echoRequest(t, 0x6262, i, "batch-to")
		dsts[i] = netip.AddrFrom4([4]byte{127, 0, byte(1 + i/250), byte(1 + i%250)})
	}
	ctx := context.Background()
	if sent, err := c.WriteBatchTo(ctx, pkts, dsts); err != nil || sent != n {
		t.Fatalf("WriteBatchTo = %d, %v; want %d", sent, err, n)
	}
	time.Sleep(100 * time.Millisecond)
	got := map[netip.Addr]int{}
	for _, g := range captured(t, sn.Stop()) {
		if len(g.payload) >= 8 && binary.BigEndian.Uint16(g.payload[4:]) == 0x6262 {
			seq := int(binary.BigEndian.Uint16(g.payload[6:]))
			if seq < n && addr(g.hdr.Dst) == dsts[seq] {
				got[dsts[seq]]++
			} else {
				t.Errorf("request %d went to %v", seq, addr(g.hdr.Dst))
			}
		}
	}
	if len(got) != n {
		t.Errorf("capture saw requests to %d of %d destinations", len(got), n)
	}
	for d, k := range got {
		if k != 1 {
			t.Errorf("%v got %d requests", d, k)
		}
	}
	if !raceEnabled {
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := c.WriteBatchTo(ctx, pkts[:64], dsts[:64]); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("WriteBatchTo allocates %v times", allocs)
		}
	}
	// A destination without a route stops the batch there, and the error
	// names it (the namespace has no route but lo's).
	far := netip.MustParseAddr("10.9.9.9")
	sent, err := c.WriteBatchTo(ctx, pkts[:3], []netip.Addr{dsts[0], far, dsts[2]})
	if sent != 1 || !errors.Is(err, syscall.ENETUNREACH) || !strings.Contains(fmt.Sprint(err), far.String()) {
		t.Errorf("batch with an unroutable destination: %d, %v; want 1 and ENETUNREACH naming %v", sent, err, far)
	}
	// Bad input sends nothing.
	for name, f := range map[string]func() error{
		"lengths": func() error { _, err := c.WriteBatchTo(ctx, pkts[:2], dsts[:1]); return err },
		"IPv6": func() error {
			_, err := c.WriteBatchTo(ctx, pkts[:2], []netip.Addr{dsts[0], netip.IPv6Loopback()})
			return err
		},
		"no target": func() error { _, err := c.WriteBatchTo(ctx, pkts[:1], []netip.Addr{{}}); return err },
	} {
		if err := f(); !errors.Is(err, os.ErrInvalid) {
			t.Errorf("%s: %v, want os.ErrInvalid", name, err)
		}
	}
}
