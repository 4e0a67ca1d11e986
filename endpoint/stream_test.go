package endpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestStreamModes(t *testing.T) {
	day := time.Date(1982, time.February, 22, 17, 37, 43, 0, time.FixedZone("PST", -8*3600))
	for _, network := range []string{"tcp", "tcp6", "unix"} {
		t.Run(network+"/echo", func(t *testing.T) {
			sv := serve(t, network, nil)
			c := dial(t, sv)
			sent, got, err := transfer(c, 300<<10, 1, nil)
			if err != nil || sent != got {
				t.Fatalf("echo: err %v, hashes equal %v", err, sent == got)
			}
		})
		t.Run(network+"/discard", func(t *testing.T) {
			sv := serve(t, network, &Config{Mode: Discard})
			c := dial(t, sv)
			if _, err := c.Write(bytes.Repeat([]byte("x"), 100000)); err != nil {
				t.Fatal(err)
			}
			_ = c.CloseWrite()
			if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
				t.Fatalf("discard sent back %d bytes, err %v", len(b), err)
			}
			sv.stop(t)
			if st := sv.Stats(); st.BytesIn != 100000 || st.BytesOut != 0 || st.Connections != 1 {
				t.Errorf("stats %+v", st)
			}
		})
		t.Run(network+"/chargen", func(t *testing.T) {
			sv := serve(t, network, &Config{Mode: Chargen})
			c := dial(t, sv)
			want := ""
			for k := 0; k < 300; k++ {
				want += ChargenLine(k)
			}
			got := make([]byte, len(want))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
				t.Fatalf("chargen: err %v, got %q...", err, got[:80])
			}
			_ = c.Close() // the server's next writes fail: its way to stop
		})
		t.Run(network+"/daytime", func(t *testing.T) {
			sv := serve(t, network, &Config{Mode: Daytime, Now: func() time.Time { return day }})
			c := dial(t, sv)
			b, err := io.ReadAll(c) // the server half-closes after the line
			if err != nil || string(b) != "Monday, February 22, 1982 17:37:43-PST\r\n" {
				t.Fatalf("daytime %q, err %v", b, err)
			}
		})
		t.Run(network+"/fixed", func(t *testing.T) {
			sv := serve(t, network, &Config{Mode: Fixed, Reply: []byte("HTTP/1.0 204 No Content\r\n\r\n")})
			c := dial(t, sv)
			_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n")) // input the server ignores
			b, err := io.ReadAll(c)
			if err != nil || !strings.HasPrefix(string(b), "HTTP/1.0 204") {
				t.Fatalf("fixed %q, err %v", b, err)
			}
		})
	}
}

// scale returns full unless the race detector is on.
func scale(full, race int) int {
	if raceEnabled {
		return race
	}
	return full
}

// TestIntegrityUnderLoad: 1,000 concurrent clients each send 1 MiB of
// random data and every byte comes back (hashes equal). Under -race it
// runs 200 clients of 256 KiB; the full size runs without -race.
func TestIntegrityUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	clients, size := scale(1000, 200), scale(1<<20, 256<<10)
	sv := serve(t, "tcp", nil)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Dial(context.Background(), "tcp", sv.Addr().String(), &DialConfig{ConnectTimeout: 30 * time.Second, ReadTimeout: 60 * time.Second})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			sent, got, err := transfer(c, size, uint64(i), nil)
			if err == nil && sent != got {
				err = fmt.Errorf("client %d: hash of echo differs", i)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sv.stop(t)
	st := sv.Stats()
	if st.Connections != uint64(clients) || st.BytesIn != uint64(clients*size) || st.BytesOut != st.BytesIn || st.Errors != 0 {
		t.Errorf("server stats %+v", st)
	}
	t.Logf("%d clients x %d bytes echoed in %v", clients, size, time.Since(start).Round(time.Millisecond))
}

// TestGracefulShutdown cancels the server while 100 transfers are half
// done: all complete with equal hashes, and a connection attempt after
// the server stopped accepting is refused.
func TestGracefulShutdown(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			sv := serve(t, network, &Config{Drain: 20 * time.Second})
			const n = 100
			size := scale(512<<10, 64<<10)
			var halfway, wg sync.WaitGroup
			halfway.Add(n)
			release := make(chan struct{})
			for i := 0; i < n; i++ {
				c := dial(t, sv)
				wg.Add(1)
				go func() {
					defer wg.Done()
					sent, got, err := transfer(c, size, uint64(i), func() { halfway.Done(); <-release })
					if err != nil || sent != got {
						t.Errorf("transfer %d: err %v, hashes equal %v", i, err, sent == got)
					}
				}()
			}
			halfway.Wait()
			sv.cancel()
			<-sv.Draining()
			if c, err := net.DialTimeout(network, sv.Addr().String(), 5*time.Second); err == nil {
				c.Close()
				t.Error("connection after the cancel was accepted")
			} else if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
				t.Errorf("connection after the cancel: %v, want refused", err)
			}
			close(release)
			wg.Wait()
			if err := <-sv.done; err != nil {
				t.Errorf("Serve: %v", err)
			}
			sv.done <- nil
			if st := sv.Stats(); st.Connections != n || st.Cut != 0 || st.BytesOut != uint64(n*size) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestDrainCut: a client that never finishes is half-closed when the
// drain time runs out, after getting back everything it sent.
func TestDrainCut(t *testing.T) {
	sv := serve(t, "tcp", &Config{Drain: 300 * time.Millisecond})
	c := dial(t, sv)
	msg := []byte("sent before the signal\n")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sv.cancel()
	rest, err := io.ReadAll(c)
	if err != nil || len(rest) != 0 {
		t.Fatalf("after the drain: %q, %v; want EOF", rest, err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("closed after %v, want about the drain time", d)
	}
	<-sv.done
	sv.done <- nil
	if st := sv.Stats(); st.Cut != 1 {
		t.Errorf("stats %+v, want 1 cut", st)
	}
}

// TestQueuedConnectionsServed: connections the kernel completed before
// the cancel, but the server had not accepted, are still served.
func TestQueuedConnectionsServed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(ctx, "tcp", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var conns []*Conn
	for i := 0; i < 5; i++ {
		c, err := Dial(ctx, "tcp", s.Addr().String(), &DialConfig{ReadTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "queued %d", i)
		_ = c.CloseWrite()
		conns = append(conns, c)
	}
	cancel()
	if err := s.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		b, err := io.ReadAll(c)
		if err != nil || string(b) != fmt.Sprintf("queued %d", i) {
			t.Errorf("queued connection %d got %q, %v", i, b, err)
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	// The idle timeout is 25 times the busy client's pause, so that a
	// loaded machine's scheduling delays do not make it look idle.
	sv := serve(t, "tcp", &Config{IdleTimeout: 500 * time.Millisecond})
	busy, idle := dial(t, sv), dial(t, sv)
	start := time.Now()
	// The busy client talks every 20ms for 1s and is not closed.
	for i := 0; i < 50; i++ {
		if _, err := busy.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(busy, make([]byte, 1)); err != nil {
			t.Fatalf("busy client closed after %v: %v", time.Since(start), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The idle one has seen an orderly close (EOF) by now.
	_ = idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle client read %d, %v; want EOF", n, err)
	}
	if st := sv.Stats(); st.IdleClosed != 1 || st.Active != 1 {
		t.Errorf("stats %+v, want 1 idle-closed and 1 active", st)
	}
}

func TestMaxConns(t *testing.T) {
	sv := serve(t, "tcp", &Config{MaxConns: 2})
	a, b := dial(t, sv), dial(t, sv)
	for _, c := range []*Conn{a, b} { // both served
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// The third is reset at once: the client sees it in connect(2), if
	// the reset came before the kernel reported the connection made, or
	// in its first read.
	over, err := Dial(context.Background(), "tcp", sv.Addr().String(), &DialConfig{ReadTimeout: 5 * time.Second})
	if err == nil {
		_, err = over.Read(make([]byte, 1))
		over.Close()
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("third connection: %v, want connection reset", err)
	}
	_ = a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for sv.Stats().Active > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	again := dial(t, sv)
	if _, err := again.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(again, make([]byte, 1)); err != nil {
		t.Fatalf("connection after one closed: %v", err)
	}
	if st := sv.Stats(); st.Refused != 1 || st.Connections != 3 {
		t.Errorf("stats %+v, want 1 refused, 3 served", st)
	}
}

func TestStaleUnixSocket(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	// A socket file whose server died: bound, never closed cleanly.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	s, err := Listen(context.Background(), "unix", path, nil)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	// Now something listens there: a second server must not take it.
	if _, err := Listen(context.Background(), "unix", path, nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second server: %v, want EADDRINUSE", err)
	}
	s.Close()
	// A file that is not a socket is never removed.
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(context.Background(), "unix", path, nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("regular file: %v, want EADDRINUSE", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "data" {
		t.Error("regular file was touched")
	}
}

// TestBoundUnixSocketNotStale: a socket bound but not yet listening
// refuses connections like a stale file, but its owner holds the file:
// Listen must leave it alone.
func TestBoundUnixSocketNotStale(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Listen(context.Background(), "unix", path, nil); !errors.Is(err, syscall.EADDRINUSE) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("Listen on a bound socket's file: %v, want EADDRINUSE", err)
	}
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Fatalf("the owner's socket file was replaced or removed: %v", err)
	}
	// The owner can still listen on it and be reached.
	if err := syscall.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("the owner cannot be reached: %v", err)
	}
	c.Close()
}
