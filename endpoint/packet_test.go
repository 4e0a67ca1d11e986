package endpoint

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDatagramModes(t *testing.T) {
	day := time.Date(2024, time.March, 5, 6, 7, 8, 0, time.UTC)
	for _, network := range []string{"udp", "udp6", "unixgram"} {
		ask := func(t *testing.T, cfg *Config, msg string) (string, error) {
			t.Helper()
			sv := serve(t, network, cfg)
			c := dial(t, sv)
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			b := make([]byte, 70000)
			n, err := c.Read(b)
			return string(b[:n]), err
		}
		t.Run(network+"/echo", func(t *testing.T) {
			if got, err := ask(t, nil, "ping"); got != "ping" || err != nil {
				t.Errorf("got %q, %v", got, err)
			}
		})
		t.Run(network+"/discard", func(t *testing.T) {
			if got, err := ask(t, &Config{Mode: Discard}, "ping"); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %q, %v; want no reply", got, err)
			}
		})
		t.Run(network+"/chargen", func(t *testing.T) {
			got, err := ask(t, &Config{Mode: Chargen}, "")
			if err != nil || len(got) > 512 {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
			lines := strings.Repeat(ChargenLine(1)+ChargenLine(2)+ChargenLine(3)+ChargenLine(4)+ChargenLine(5)+ChargenLine(6)+ChargenLine(7)+ChargenLine(8), 1)
			if !strings.HasPrefix(lines, got) {
				t.Errorf("got %q, want a prefix of the pattern from line 1", got)
			}
		})
		t.Run(network+"/daytime", func(t *testing.T) {
			got, err := ask(t, &Config{Mode: Daytime, Now: func() time.Time { return day }}, "x")
			if got != "Tuesday, March 5, 2024 06:07:08-UTC\r\n" || err != nil {
				t.Errorf("got %q, %v", got, err)
			}
		})
		t.Run(network+"/fixed", func(t *testing.T) {
			if got, err := ask(t, &Config{Mode: Fixed, Reply: []byte("pong")}, "ping"); got != "pong" || err != nil {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
}

// TestDatagramSizes: datagrams of 1 to 65,507 bytes (the largest UDP
// payload over IPv4) come back intact: every size to 2,048, then a spread
// to the largest.
func TestDatagramSizes(t *testing.T) {
	sv := serve(t, "udp", nil)
	c := dial(t, sv)
	var sizes []int
	for n := 1; n <= 2048; n++ {
		sizes = append(sizes, n)
	}
	for n := 2049; n < 65507; n += 1499 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 8192, 9000, 16384, 32768, 65535-28-1, 65507)
	msg := make([]byte, 65507)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(msg)
	got := make([]byte, 65536)
	for _, n := range sizes {
		if _, err := c.Write(msg[:n]); err != nil {
			t.Fatalf("write %d bytes: %v", n, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		m, err := c.Read(got)
		if err != nil || !bytes.Equal(got[:m], msg[:n]) {
			t.Fatalf("datagram of %d bytes: got %d bytes back, err %v", n, m, err)
		}
	}
	// One byte more than UDP over IPv4 can carry is refused by the sender.
	if _, err := c.Write(make([]byte, 65508)); err == nil {
		t.Error("65,508-byte datagram was sent")
	}
	sv.stop(t)
	if st := sv.Stats(); st.DatagramsIn != uint64(len(sizes)) || st.DatagramsOut != st.DatagramsIn {
		t.Errorf("stats %+v, want %d in and out", st, len(sizes))
	}
}

// TestDatagramLossCounted sends 100,000 datagrams; those longer than the
// server's limit are dropped there, and others may be dropped by a full
// receive buffer. The loss the client counts must equal the drops the
// server and both kernels report.
func TestDatagramLossCounted(t *testing.T) {
	total := scale(100000, 20000)
	sv := serve(t, "udp", &Config{MaxSize: 1180})
	rep, err := EchoTest(context.Background(), "udp", sv.Addr().String(), &EchoConfig{
		Messages: total / 4, Concurrency: 4, Size: 16, MaxSize: 1200, Window: 64, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sv.stop(t)
	st := sv.Stats()
	t.Logf("client: %d sent, %d intact, %d lost, %d late, %d mismatched, %d dropped here; server: %d in, %d out, %d oversize, %d kernel drops",
		rep.Sent, rep.RoundTrips, rep.Lost, rep.Late, rep.Mismatches, rep.LocalDrops, st.DatagramsIn, st.DatagramsOut, st.Oversize, st.KernelDrops)
	if rep.Sent != uint64(total) || rep.Failed != 0 || rep.Mismatches != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Lost == 0 || st.Oversize == 0 {
		t.Fatal("no datagram was lost: the test proves nothing")
	}
	if rep.Sent != st.DatagramsIn+st.KernelDrops {
		t.Errorf("client sent %d, server read %d and its kernel dropped %d", rep.Sent, st.DatagramsIn, st.KernelDrops)
	}
	if rep.RoundTrips+rep.Late+rep.LocalDrops != st.DatagramsOut {
		t.Errorf("client received %d (+%d late, +%d dropped here), server sent %d", rep.RoundTrips, rep.Late, rep.LocalDrops, st.DatagramsOut)
	}
	if rep.Lost-rep.Late != st.Oversize+st.KernelDrops+rep.LocalDrops {
		t.Errorf("client lost %d (%d came late), drops: %d oversize + %d server kernel + %d client kernel",
			rep.Lost, rep.Late, st.Oversize, st.KernelDrops, rep.LocalDrops)
	}
}

func TestUnixgramStale(t *testing.T) {
	path := t.TempDir() + "/g.sock"
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // unixgram sockets leave their file behind
	s, err := Listen(context.Background(), "unixgram", path, nil)
	if err != nil {
		t.Fatalf("stale unixgram socket not replaced: %v", err)
	}
	s.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after Close: %v", err)
	}
}
