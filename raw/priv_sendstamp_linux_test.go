//go:build privileged

package raw

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestSendStamps sends five header-included packets in one batch with
// send stamps on: five stamps come back keyed 0 to 4, each within the
// batch call and within 200 µs of the time the capture on the sender's
// own link saw that packet leave.
func TestSendStamps(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(255, &Config{HeaderIncluded: true}) })
	if err := c.EnableSendStamps(); err != nil {
		t.Fatal(err)
	}
	pkts := make([][]byte, 5)
	for i := range pkts {
		e := craft.NewICMPEcho(p.A.Addr(), p.B.Addr(), 0x5a5a, uint16(i), []byte("stamp"))
		b, err := craft.NewBuilder().BuildICMPv4(e)
		if err != nil {
			t.Fatal(err)
		}
		pkts[i] = append([]byte(nil), b...)
	}
	s := netlabtest.Sniff(t, p.A, p.AIf, "icmp[4:2] == 0x5a5a")
	before := time.Now()
	if n, err := c.WriteBatch(context.Background(), pkts, p.B.Addr()); n != len(pkts) || err != nil {
		t.Fatalf("WriteBatch: %d, %v", n, err)
	}
	after := time.Now()
	st := make([]SendStamp, 8)
	n, err := c.TryReadSendStamps(st)
	if err != nil || n != len(pkts) {
		t.Fatalf("TryReadSendStamps: %d stamps, %v; want %d", n, err, len(pkts))
	}
	wire := s.Stop()
	var left []time.Time
	for _, w := range wire {
		if b := w.IPv4(); len(b) >= 28 && netip.AddrFrom4([4]byte(b[12:16])) == p.A.Addr() && b[20] == 8 {
			left = append(left, w.Timestamp)
		}
	}
	if len(left) != len(pkts) {
		t.Fatalf("capture saw %d requests leave, want %d", len(left), len(pkts))
	}
	for i, x := range st[:n] {
		if x.Key != uint32(i) || x.Time.Before(before) || x.Time.After(after) {
			t.Errorf("stamp %d: key %d at %v, want key %d within the write [%v, %v]", i, x.Key, x.Time, i, before, after)
		}
		if d := x.Time.Sub(left[i]); d < -200*time.Microsecond || d > 200*time.Microsecond {
			t.Errorf("stamp %d is %v from the capture's time", i, d)
		}
	}
	if n, err := c.TryReadSendStamps(st); n != 0 || err != nil {
		t.Errorf("second read: %d stamps, %v; want none", n, err)
	}

	r := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(1, &Config{RecvErr: true}) })
	if err := r.EnableSendStamps(); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("EnableSendStamps on a RecvErr socket: %v, want os.ErrInvalid", err)
	}
	plain := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(1, nil) })
	if _, err := plain.TryReadSendStamps(st); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("TryReadSendStamps without EnableSendStamps: %v, want os.ErrInvalid", err)
	}
}
