package raw

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// ReadBatch takes the sources from the kernel's names (here: a socket
// read like a ping socket) and allocates nothing in steady state.
func TestReadBatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	c, addr := udpConn(t, &Config{Timestamps: true, ReceiveBuffer: 1 << 20})
	s := sender(t, 9, 0)
	// AllocsPerRun calls read runs+1 times, after the warm-up below.
	const runs, per = 20, 8
	want := make([]string, (runs+2)*per)
	for i := range want {
		want[i] = fmt.Sprintf("m%03d", i)
		send(t, s, addr, want[i])
	}
	ms := make([]Message, per)
	for i := range ms {
		ms[i].Buf = make([]byte, 64)
	}
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var err error
	next, bad := 0, 0
	read := func() {
		for got := 0; got < per && err == nil; {
			var n int
			n, err = c.ReadBatch(ctx, ms[got:])
			for _, m := range ms[got : got+n] {
				if string(m.Data) != want[next] || m.Src != netip.MustParseAddr("127.0.0.1") ||
					m.TTL != 9 || m.Received.IsZero() {
					bad++
				}
				next++
			}
			got += n
		}
	}
	read()
	allocs := testing.AllocsPerRun(runs, read)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 || next != (runs+2)*per {
		t.Fatalf("%d of %d messages wrong", bad, next)
	}
	if allocs != 0 {
		t.Errorf("ReadBatch of %d allocates %v times", per, allocs)
	}
}

func BenchmarkReadBatch(b *testing.B) {
	c, addr := udpConn(b, &Config{Timestamps: true, ReceiveBuffer: 1 << 20})
	s := sender(b, 64, 0)
	ms := make([]Message, 16)
	for i := range ms {
		ms[i].Buf = make([]byte, 64)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for range len(ms) {
			send(b, s, addr, "x")
		}
		for got := 0; got < len(ms); {
			n, err := c.ReadBatch(ctx, ms[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}
