package endpoint

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// serving is a server under test and the way to stop it.
type serving struct {
	*Server
	cancel context.CancelFunc
	done   chan error
}

// serve starts a server on loopback (or a unix path in a temporary
// directory) and stops it when the test ends.
func serve(t *testing.T, network string, cfg *Config) *serving {
	t.Helper()
	addr := "127.0.0.1:0"
	switch network {
	case "unix", "unixgram":
		addr = filepath.Join(t.TempDir(), "s.sock")
	case "tcp6", "udp6":
		addr = "[::1]:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(ctx, network, addr, cfg)
	if err != nil {
		cancel()
		t.Fatalf("Listen(%s, %s): %v", network, addr, err)
	}
	sv := &serving{Server: s, cancel: cancel, done: make(chan error, 1)}
	go func() { sv.done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		_ = s.Close()
		<-sv.done
	})
	return sv
}

// stop cancels the server and waits for Serve to return.
func (sv *serving) stop(t *testing.T) {
	t.Helper()
	sv.cancel()
	if err := <-sv.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	sv.done <- nil // for the cleanup
}

func dial(t *testing.T, sv *serving) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), sv.Network(), sv.Addr().String(), &DialConfig{ConnectTimeout: 5 * time.Second, ReadTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// transfer sends n random bytes from seed on c, half-closes, reads
// until EOF and returns the SHA-256 of what it sent and of what came
// back. pause, if not nil, is called once half the data has been sent
// and echoed, before the rest is sent.
func transfer(c *Conn, n int, seed uint64, pause func()) (sent, got [32]byte, err error) {
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	readDone := make(chan error, 1)
	half := make(chan struct{})
	hr := sha256.New()
	go func() {
		var copied int64
		var err error
		if pause != nil {
			copied, err = io.CopyN(hr, c, int64(n/2))
		}
		close(half)
		if err == nil {
			var m int64
			m, err = io.Copy(hr, c)
			if copied+m != int64(n) && err == nil {
				err = fmt.Errorf("echo has %d bytes, want %d", copied+m, n)
			}
		}
		readDone <- err
	}()
	hw := sha256.New()
	buf := make([]byte, 32<<10)
	writeN := func(m int) error {
		for m > 0 {
			b := buf[:min(len(buf), m)]
			_, _ = rng.Read(b)
			hw.Write(b)
			if _, err := c.Write(b); err != nil {
				return err
			}
			m -= len(b)
		}
		return nil
	}
	err = writeN(n / 2)
	if err == nil && pause != nil {
		<-half
		pause()
	}
	if err == nil {
		err = writeN(n - n/2)
	}
	if err == nil {
		err = c.CloseWrite()
	}
	if err != nil {
		_ = c.Close()
		<-readDone
		return sent, got, err
	}
	err = <-readDone
	copy(sent[:], hw.Sum(nil))
	copy(got[:], hr.Sum(nil))
	return sent, got, err
}
