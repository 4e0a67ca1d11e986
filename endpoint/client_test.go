package endpoint

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/nettest"
)

// TestConnConformance runs x/net's net.Conn conformance tests on Conn,
// with a read timeout long enough not to fire on its own.
func TestConnConformance(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				ln, err := nettest.NewLocalListener(network)
				if err != nil {
					return nil, nil, nil, err
				}
				defer ln.Close()
				accepted := make(chan net.Conn, 1)
				go func() {
					c, _ := ln.Accept()
					accepted <- c
				}()
				d, err := Dial(context.Background(), network, ln.Addr().String(), &DialConfig{ReadTimeout: time.Minute})
				if err != nil {
					return nil, nil, nil, err
				}
				s := <-accepted
				if s == nil {
					d.Close()
					return nil, nil, nil, errors.New("accept failed")
				}
				srv := NewConn(s, time.Minute)
				return d, srv, func() { d.Close(); srv.Close() }, nil
			})
		})
	}
}

func TestConnReadTimeout(t *testing.T) {
	sv := serve(t, "tcp", nil)
	c, err := Dial(context.Background(), "tcp", sv.Addr().String(), &DialConfig{ReadTimeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Data every 50ms keeps the connection alive past the timeout.
	for i := 0; i < 6; i++ {
		time.Sleep(50 * time.Millisecond)
		c.Write([]byte("x"))
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("idle read: %v, want a timeout", err)
	}
	if d := time.Since(start); d < 140*time.Millisecond || d > 3*time.Second {
		t.Errorf("timed out after %v, want 150ms", d)
	}
	// An earlier deadline the caller sets wins.
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	start = time.Now()
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > 120*time.Millisecond {
		t.Errorf("deadline: %v after %v", err, time.Since(start))
	}
}

func TestRelayStream(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		sv := serve(t, network, nil)
		c := dial(t, sv)
		in := strings.Repeat("line of input\n", 20000)
		var out bytes.Buffer
		st, err := Relay(context.Background(), c, strings.NewReader(in), &out, nil)
		if err != nil || out.String() != in || st.Sent != uint64(len(in)) || st.Received != uint64(len(in)) {
			t.Errorf("%s: relay %+v, %v; output equal %v", network, st, err, out.String() == in)
		}
	}
}

// TestRelayPeerClosesFirst: a daytime server sends its line and
// half-closes while the input (a pipe, which has deadlines) stays open:
// the relay returns with the line, interrupting its read of the input.
func TestRelayPeerClosesFirst(t *testing.T) {
	sv := serve(t, "tcp", &Config{Mode: Daytime})
	c := dial(t, sv)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { _, err := Relay(context.Background(), c, r, &out, nil); done <- err }()
	select {
	case err := <-done:
		if err != nil || !strings.HasSuffix(out.String(), "\r\n") {
			t.Fatalf("relay: %v, output %q", err, out.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("relay did not end when the server closed")
	}
}

// TestRelayInterruptsInput: the server closes on its own (idle timeout)
// while the input pipe stays open: the relay returns anyway.
func TestRelayInterruptsInput(t *testing.T) {
	sv := serve(t, "tcp", &Config{IdleTimeout: 100 * time.Millisecond})
	c := dial(t, sv)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	done := make(chan error, 1)
	go func() { _, err := Relay(context.Background(), c, r, io.Discard, nil); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("relay did not end when the server closed")
	}
}

func TestRelayDatagram(t *testing.T) {
	sv := serve(t, "udp", nil)
	c := dial(t, sv)
	var out bytes.Buffer
	start := time.Now()
	_, err := Relay(context.Background(), c, strings.NewReader("hello\n"), &out, &RelayConfig{Linger: 200 * time.Millisecond})
	if err != nil || out.String() != "hello\n" {
		t.Fatalf("relay: %v, output %q", err, out.String())
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("returned after %v, before the linger", d)
	}
}

// Once the input has ended, a read timeout shorter than the linger ends
// a datagram relay as the linger would: nothing more is waited for.
func TestRelayDatagramReadTimeoutAfterInput(t *testing.T) {
	sv := serve(t, "udp", &Config{Mode: Discard})
	c, err := Dial(context.Background(), "udp", sv.Addr().String(), &DialConfig{ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Relay(context.Background(), c, strings.NewReader("x"), io.Discard, &RelayConfig{Linger: 5 * time.Second})
	if err != nil {
		t.Fatalf("relay: %v", err)
	}
}

func TestClosedPort(t *testing.T) {
	p, err := ReserveClosedUDPPort(context.Background(), "udp4", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Nobody else can bind it...
	if c, err := net.ListenUDP("udp4", p.Addr()); err == nil {
		c.Close()
		t.Fatal("reserved port could be bound")
	}
	// ...and a datagram to it gets ICMP port unreachable, which a
	// connected UDP socket reports as ECONNREFUSED (udp(7)).
	c, err := net.DialUDP("udp4", nil, p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("probe"))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 10)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("read after probe: %v, want connection refused", err)
	}
}

func TestEchoTestAgainstBadServers(t *testing.T) {
	// A discard server never echoes: every datagram is lost.
	sv := serve(t, "udp", &Config{Mode: Discard})
	rep, err := EchoTest(context.Background(), "udp", sv.Addr().String(), &EchoConfig{Messages: 5, Window: 5, Timeout: 100 * time.Millisecond})
	if err != nil || rep.Lost != 5 || rep.RoundTrips != 0 || rep.OK() {
		t.Errorf("discard: %+v, %v", rep, err)
	}
	// A fixed reply of the right length is still caught as a mismatch.
	fx := serve(t, "tcp", &Config{Mode: Fixed, Reply: bytes.Repeat([]byte("z"), 64)})
	rep, err = EchoTest(context.Background(), "tcp", fx.Addr().String(), &EchoConfig{Messages: 1})
	if err != nil || rep.Mismatches != 1 || rep.OK() {
		t.Errorf("fixed: %+v, %v", rep, err)
	}
	// Nobody listening: no connection, an error.
	p, _ := ReserveClosedUDPPort(context.Background(), "udp4", "127.0.0.1")
	defer p.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if rep, err := EchoTest(context.Background(), "tcp", addr, nil); err == nil || rep.Connections != 0 {
		t.Errorf("closed port: %+v, %v", rep, err)
	}
}
