//go:build privileged

package raw

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// TestNoPacketInfo: with NoPacketInfo the socket has IP_PKTINFO off and
// reads carry no interface index; by default they do.
func TestNoPacketInfo(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	for _, off := range []bool{false, true} {
		c := openIn(t, h, func() (*Conn, error) { return ListenIPv4(253, &Config{NoPacketInfo: off}) })
		rc, _ := c.SyscallConn()
		var on int
		var serr error
		if err := rc.Control(func(fd uintptr) { on, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_PKTINFO) }); err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		if (on != 0) == off {
			t.Errorf("NoPacketInfo %v: IP_PKTINFO %d", off, on)
		}
		if _, err := c.WriteToAddr(context.Background(), []byte("pktinfo"), lo); err != nil {
			t.Fatal(err)
		}
		m, err := c.ReadMsg(context.Background(), make([]byte, 1500))
		if err != nil {
			t.Fatal(err)
		}
		if (m.IfIndex != 0) == off || m.Src != lo || m.Dst != lo || string(m.Data) != "pktinfo" {
			t.Errorf("NoPacketInfo %v: read %q from %v to %v on interface %d", off, m.Data, m.Src, m.Dst, m.IfIndex)
		}
	}
}

// TestOutsidePollerUntilWait: calls that need not wait leave the socket
// out of the runtime poller; the first wait registers it, and deadlines
// set before that, Close and later calls behave as on any net.Conn.
func TestOutsidePollerUntilWait(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	c := openIn(t, h, func() (*Conn, error) { return ListenIPv4(253, nil) })
	buf := make([]byte, 1500)
	for i := range 3 {
		if _, err := c.WriteToAddr(context.Background(), []byte{byte(i)}, lo); err != nil {
			t.Fatal(err)
		}
		if m, err := c.ReadMsg(context.Background(), buf); err != nil || len(m.Data) != 1 || m.Data[0] != byte(i) {
			t.Fatalf("read %v, %v; want [%d]", m.Data, err, i)
		}
	}
	if c.rc.polled.Load() != nil {
		t.Fatal("registered with the poller though no call waited")
	}
	// A deadline already passed fails a read before it reads, as on a
	// net.Conn, even with a packet queued.
	if _, err := c.WriteToAddr(context.Background(), []byte{9}, lo); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadMsg(context.Background(), buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	if c.rc.polled.Load() == nil {
		t.Fatal("a read with a deadline did not go through the poller")
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.ReadMsg(context.Background(), buf); err != nil || len(m.Data) != 1 || m.Data[0] != 9 {
		t.Fatalf("read %v, %v; want [9]", m.Data, err)
	}
	// A read waiting in the poller ends with Close.
	done := make(chan error, 1)
	go func() {
		_, err := c.ReadMsg(context.Background(), buf)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read ended by Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a waiting read")
	}
	if _, err := c.TryReadMsg(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("TryReadMsg after Close: %v", err)
	}
}

// TestCloseUnregistered: Close of a socket never registered
// closes it; calls after it fail with net.ErrClosed.
func TestCloseUnregistered(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	c := openIn(t, h, func() (*Conn, error) { return ListenIPv4(253, nil) })
	fd := c.rc.fd
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("descriptor %d after Close: %v, want EBADF", fd, err)
	}
	if _, err := c.ReadMsg(context.Background(), make([]byte, 10)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadMsg after Close: %v", err)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}
