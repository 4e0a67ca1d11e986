package endpoint

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// server is a rawkit serve process and its standard output.
type server struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
	addr  string
}

// startServe runs `rawkit serve` and reads the port it reports.
func startServe(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &server{cmd: cmd, lines: bufio.NewScanner(out)}
	first := s.line(t)
	var ev struct{ Event, Address string }
	if json.Unmarshal([]byte(first), &ev) == nil && ev.Event == "listening" { // --json
		s.addr = ev.Address
		return s
	}
	// listening on tcp 127.0.0.1:40123 (echo)
	f := strings.Fields(first)
	if len(f) < 4 || f[0] != "listening" {
		t.Fatalf("first line %q", first)
	}
	s.addr = f[3]
	return s
}

func (s *server) line(t *testing.T) string {
	t.Helper()
	if !s.lines.Scan() {
		t.Fatalf("server output ended: %v", s.lines.Err())
	}
	return s.lines.Text()
}

// peakMemory returns the process's peak resident set (VmHWM), in bytes.
func peakMemory(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// echoTransfer sends n random bytes on c, half-closes, reads the echo
// to EOF and reports whether both hashes are equal. pause, if not nil, is
// called after half the data went out and came back.
func echoTransfer(c *net.TCPConn, n int, seed uint64, pause func()) error {
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1})
	hw, hr := sha256.New(), sha256.New()
	half := make(chan struct{})
	readDone := make(chan error, 1)
	go func() {
		var got int64
		var err error
		if pause != nil {
			got, err = io.CopyN(hr, c, int64(n/2))
		}
		close(half)
		if err == nil {
			var m int64
			m, err = io.Copy(hr, c)
			got += m
		}
		if err == nil && got != int64(n) {
			err = fmt.Errorf("echo of %d bytes, want %d", got, n)
		}
		readDone <- err
	}()
	buf := make([]byte, 32<<10)
	write := func(m int) error {
		for ; m > 0; m -= min(m, len(buf)) {
			b := buf[:min(m, len(buf))]
			_, _ = rng.Read(b)
			hw.Write(b)
			if _, err := c.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	err := write(n / 2)
	if err == nil && pause != nil {
		<-half
		pause()
	}
	if err == nil {
		err = write(n - n/2)
	}
	if err == nil {
		err = c.CloseWrite()
	}
	if err != nil {
		c.Close()
		<-readDone
		return err
	}
	if err := <-readDone; err != nil {
		return err
	}
	if string(hw.Sum(nil)) != string(hr.Sum(nil)) {
		return fmt.Errorf("hash of the echo differs from the hash of the data")
	}
	return nil
}

// noDrop is the Env of in-process tests: it keeps the test process's
// privileges (the commands the tests run in memory must not drop them for
// the rest of the tests) and asks no name server.
func noDrop() *Env {
	return &Env{DropPrivileges: func() error { return nil }, Resolver: clitest.NoDNS()}
}
