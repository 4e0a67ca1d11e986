package raw

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// These tests drive a Conn's read path, deadlines and cancellation
// without privileges: the Conn is built around a UDP socket on loopback,
// which the kernel treats like a ping socket as far as reads go (payload
// only, metadata in control messages). What crosses loopback is sent by
// the standard library, independently of the code under test.

// udpConn returns a Conn reading a UDP socket bound to 127.0.0.1 and the
// address to send to it.
func udpConn(t testing.TB, cfg *Config) (*Conn, *net.UDPAddr) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		cfg = &Config{}
	}
	cfg.Source = netip.MustParseAddr("127.0.0.1")
	s := &sockopts{fd: fd}
	s.configure(cfg, 17, true)
	s.bind(cfg, true)
	if s.err != nil {
		unix.Close(fd)
		t.Fatal(s.err)
	}
	c, err := newConn(fd, "udp4-test", true, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr)
}

// sender returns a UDP socket that sends with the given TTL and TOS.
func sender(t testing.TB, ttl, tos int) *net.UDPConn {
	t.Helper()
	s, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := ipv4.NewConn(s)
	if err := p.SetTTL(ttl); err != nil {
		t.Fatal(err)
	}
	if err := p.SetTOS(tos); err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t testing.TB, s *net.UDPConn, to *net.UDPAddr, payload string) {
	t.Helper()
	if _, err := s.WriteToUDP([]byte(payload), to); err != nil {
		t.Fatal(err)
	}
}

func TestReadMsgMetadata(t *testing.T) {
	c, addr := udpConn(t, &Config{Timestamps: true})
	s := sender(t, 42, 0x28)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	send(t, s, addr, "hello")
	buf := make([]byte, 64)
	m, err := c.ReadMsg(context.Background(), buf)
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data) != "hello" || &m.Buf[0] != &buf[0] || m.Header != nil || m.Truncated {
		t.Errorf("Data %q Header %v Truncated %v; want \"hello\", nil, false, aliasing buf", m.Data, m.Header, m.Truncated)
	}
	lo4 := netip.MustParseAddr("127.0.0.1")
	if m.Src != lo4 || m.Dst != lo4 {
		t.Errorf("Src %v Dst %v, want 127.0.0.1 both", m.Src, m.Dst)
	}
	if m.TTL != 42 || m.TOS != 0x28 || m.IfIndex != lo.Index {
		t.Errorf("TTL %d TOS %#x IfIndex %d, want 42 0x28 %d", m.TTL, m.TOS, m.IfIndex, lo.Index)
	}
	if m.Received.Before(before) || m.Received.After(after) {
		t.Errorf("Received %v outside [%v, %v]", m.Received, before, after)
	}
}

func TestReadMsgTruncatedAndNoTimestamp(t *testing.T) {
	c, addr := udpConn(t, nil)
	send(t, sender(t, 64, 0), addr, "0123456789")
	m, err := c.ReadMsg(context.Background(), make([]byte, 4))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data) != "0123" || !m.Truncated || !m.Received.IsZero() {
		t.Errorf("Data %q Truncated %v Received %v; want \"0123\" true zero", m.Data, m.Truncated, m.Received)
	}
}

func TestReadMsgDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	c, addr := udpConn(t, &Config{Timestamps: true, ReceiveBuffer: 1 << 20})
	s := sender(t, 64, 0)
	const runs = 50
	for range runs + 1 {
		send(t, s, addr, "x")
	}
	buf := make([]byte, 1500)
	ctx := context.Background()
	var err error
	allocs := testing.AllocsPerRun(runs, func() {
		if _, e := c.ReadMsg(ctx, buf); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("ReadMsg allocates %v times per call", allocs)
	}
}

func TestReadFrom(t *testing.T) {
	c, addr := udpConn(t, nil)
	send(t, sender(t, 64, 0), addr, "payload")
	b := make([]byte, 64)
	n, from, err := c.ReadFrom(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:n]) != "payload" || from.(*net.IPAddr).IP.String() != "127.0.0.1" {
		t.Errorf("ReadFrom = %q from %v", b[:n], from)
	}
}

func TestReadBatch(t *testing.T) {
	c, addr := udpConn(t, nil)
	s := sender(t, 7, 0)
	words := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	for _, w := range words {
		send(t, s, addr, w)
	}
	ms := make([]Message, 8)
	for i := range ms {
		ms[i].Buf = make([]byte, 32)
	}
	got := 0
	for got < len(words) {
		n, err := c.ReadBatch(context.Background(), ms[got:])
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	for i, w := range words {
		m := ms[i]
		if string(m.Data) != w || m.TTL != 7 || m.Src != netip.MustParseAddr("127.0.0.1") || m.IfIndex == 0 {
			t.Errorf("message %d: Data %q TTL %d Src %v IfIndex %d; want %q 7 127.0.0.1", i, m.Data, m.TTL, m.Src, m.IfIndex, w)
		}
	}
	if _, err := c.ReadBatch(context.Background(), []Message{{}}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("ReadBatch without a buffer: %v, want os.ErrInvalid", err)
	}
}

// TestConcurrentReads: readers share the Conn (and its pooled state)
// without races or lost packets.
func TestConcurrentReads(t *testing.T) {
	c, addr := udpConn(t, &Config{ReceiveBuffer: 1 << 20})
	s := sender(t, 64, 0)
	const n = 200
	for range n {
		send(t, s, addr, "x")
	}
	counts := make(chan int, 4)
	for range 4 {
		go func() {
			got := 0
			buf := make([]byte, 16)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			for {
				if _, err := c.ReadMsg(ctx, buf); err != nil {
					counts <- got
					return
				}
				got++
			}
		}()
	}
	total := 0
	for range 4 {
		total += <-counts
	}
	if total != n {
		t.Errorf("readers got %d packets in all, want %d", total, n)
	}
}
