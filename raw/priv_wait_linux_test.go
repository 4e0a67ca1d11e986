//go:build privileged

package raw

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// WaitRead returns once a packet is queued and leaves it there, Readable
// tells whether one is, and a cancelled ctx or Close ends a wait.
func TestWaitReadLeavesPacketQueued(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := listenEchoReplies(t, p.A, a)
	if ok, err := c.Readable(); ok || err != nil {
		t.Fatalf("Readable on an empty socket: %v, %v", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	err := c.WaitRead(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitRead with nothing coming: %v, want the ctx's deadline", err)
	}

	req := echoRequest(t, 0x5757, 1, "wait")
	sent := time.Now()
	if _, err := c.WriteToAddr(context.Background(), req, b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitRead(ctx); err != nil {
		t.Fatalf("WaitRead with a reply coming: %v", err)
	}
	if ok, err := c.Readable(); !ok || err != nil {
		t.Fatalf("Readable after WaitRead: %v, %v; the reply should still be queued", ok, err)
	}
	if err := c.WaitRead(ctx); err != nil {
		t.Fatalf("a second WaitRead: %v; it should return at once", err)
	}
	buf := make([]byte, 1500)
	m, err := c.TryReadMsg(buf)
	if err != nil || m.Src != b || len(m.Data) < 8 || m.Data[0] != 0 || m.Received.Before(sent) {
		t.Fatalf("TryReadMsg after WaitRead: %+v, %v", m, err)
	}
	if ok, err := c.Readable(); ok || err != nil {
		t.Fatalf("Readable once the reply was read: %v, %v", ok, err)
	}

	done := make(chan error, 1)
	go func() { done <- c.WaitRead(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("WaitRead ended by Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end WaitRead")
	}
}
