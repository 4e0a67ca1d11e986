//go:build privileged

package raw

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestDropCount: a raw ICMP socket with the smallest receive buffer,
// flooded with the echo requests it sends to the loopback and their
// replies before it reads any, drops most of them; the packets queued
// afterwards carry the kernel's count of those drops (SO_RXQ_OVFL).
func TestDropCount(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	c := openIn(t, h, func() (*Conn, error) {
		return ListenIPv4(1, &Config{DropCount: true, ReceiveBuffer: 1})
	})
	dst := netip.MustParseAddr("127.0.0.1")
	req := []byte{8, 0, 0xf7, 0xfe, 0, 1, 0, 0} // echo request, id 1, seq 0, its checksum
	const sent = 200
	for range sent {
		if _, err := c.WriteToAddr(context.Background(), req, dst); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1500)
	read := 0
	var drops uint32
	for { // what is queued now
		m, err := c.TryReadMsg(buf)
		if err == ErrWouldBlock {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		read++
		drops = max(drops, m.Drops)
	}
	// A packet carries the count of drops before it was queued: one more
	// request and its reply, queued once the buffer has room, tell how
	// many of the first went. Every packet is either read or dropped.
	if _, err := c.WriteToAddr(context.Background(), req, dst); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for read+int(drops) < 2*sent+2 {
		m, err := c.ReadMsg(ctx, buf)
		if err != nil {
			t.Fatalf("read %d packets, drop count %d, then: %v; want %d in all", read, drops, err, 2*sent+2)
		}
		read++
		drops = max(drops, m.Drops)
	}
	if read+int(drops) != 2*sent+2 || drops == 0 {
		t.Fatalf("read %d packets, drop count %d; want %d in all, some dropped", read, drops, 2*sent+2)
	}
}
