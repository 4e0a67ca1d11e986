//go:build linux

package netlab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"
)

// Sniffer is a running tcpdump inside a host's namespace: the capture
// oracle of the privileged tests, independent of the code under test.
type Sniffer struct {
	t     testing.TB
	what  string // "NAMESPACE:IFACE filter", for messages
	path  string // the pcap file tcpdump writes
	cmd   *exec.Cmd
	ready chan struct{} // closed when tcpdump reports "listening on"
	done  chan struct{} // closed when tcpdump has exited

	mu      sync.Mutex
	stderr  strings.Builder
	waitErr error

	stop sync.Once
	pkts []Packet
	err  error
}

// Sniff starts tcpdump on iface inside the host's namespace with a
// tcpdump filter expression ("" for everything), and returns once tcpdump
// says it is listening, so that whatever is sent afterwards is captured.
// tcpdump writes each packet to a pcap file at once (-U, --immediate-mode);
// Stop ends it and returns what it saw. The capture is killed at the end
// of the test if Stop was not called. tcpdump must be installed
// (scripts/test-privileged.sh installs it). Packets are cut at
// DefaultSnaplen bytes; SniffWith changes that.
func (h *Host) Sniff(t testing.TB, iface, filter string) *Sniffer {
	t.Helper()
	return h.SniffWith(t, iface, filter, nil)
}

// SniffConfig tunes SniffWith. The zero value means the defaults.
type SniffConfig struct {
	// Snaplen is the most bytes kept of each packet: DefaultSnaplen if 0.
	Snaplen int
	// BufferKiB is the size of the kernel ring in KiB: DefaultBufferKiB
	// if 0. The ring holds about BufferKiB*1024/(Snaplen+100) packets: a
	// burst larger than that before tcpdump drains it is dropped, and Stop
	// reports the drop.
	BufferKiB int
}

// Capture defaults: room for about 7,000 packets of up to 4 KiB (more
// than the 1500-byte MTU of the links) in a burst.
const (
	DefaultSnaplen   = 4096
	DefaultBufferKiB = 32 << 10
)

// SniffWith is Sniff with a configuration (nil means the defaults).
func (h *Host) SniffWith(t testing.TB, iface, filter string, cfg *SniffConfig) *Sniffer {
	t.Helper()
	snaplen, bufKiB := DefaultSnaplen, DefaultBufferKiB
	if cfg != nil && cfg.Snaplen > 0 {
		snaplen = cfg.Snaplen
	}
	if cfg != nil && cfg.BufferKiB > 0 {
		bufKiB = cfg.BufferKiB
	}
	s := &Sniffer{
		t:     t,
		what:  fmt.Sprintf("%s:%s %q", h.Name, iface, filter),
		path:  filepath.Join(t.TempDir(), "capture.pcap"),
		ready: make(chan struct{}),
		done:  make(chan struct{}),
	}
	args := []string{"-i", iface, "-w", s.path, "-U", "--immediate-mode", "-n",
		"-Z", "root", // keep root: the pcap file is in a root-only directory
		"-s", strconv.Itoa(snaplen),
		"-B", strconv.Itoa(bufKiB),
	}
	if filter != "" {
		args = append(args, filter)
	}
	s.cmd = h.Command(context.Background(), "tcpdump", args...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatalf("netlab: sniff %s: %v", s.what, err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("netlab: sniff %s: %v (is tcpdump installed? scripts/test-privileged.sh installs it)", s.what, err)
	}
	go s.watch(stderr)
	t.Cleanup(func() {
		s.stop.Do(func() {
			_ = s.cmd.Process.Kill()
			<-s.done
			s.err = errors.New("not stopped")
		})
	})
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case <-s.ready:
		return s
	case <-s.done:
		t.Fatalf("netlab: sniff %s: tcpdump exited: %v: %s", s.what, s.waitErr, s.stderrText())
	case <-timer.C:
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("netlab: sniff %s: tcpdump did not start listening in 10s: %s", s.what, s.stderrText())
	}
	return nil
}

// watch reads tcpdump's stderr until it exits, then reaps it.
func (s *Sniffer) watch(stderr io.Reader) {
	sc := bufio.NewScanner(stderr)
	listening := false
	for sc.Scan() {
		s.mu.Lock()
		s.stderr.WriteString(sc.Text() + "\n")
		s.mu.Unlock()
		if !listening && strings.Contains(sc.Text(), "listening on ") {
			listening = true
			close(s.ready)
		}
	}
	_, _ = io.Copy(io.Discard, stderr)
	err := s.cmd.Wait()
	s.mu.Lock()
	s.waitErr = err
	s.mu.Unlock()
	close(s.done)
}

func (s *Sniffer) stderrText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimSpace(s.stderr.String())
}

// Stop ends the capture and returns the packets seen, in order. It fails
// the test if tcpdump failed or reports packets dropped by the kernel or
// lost on the way out: an oracle that missed packets would mislead.
// Calling it again returns the same packets.
func (s *Sniffer) Stop() []Packet {
	s.t.Helper()
	pkts, err := s.StopErr()
	if err != nil {
		s.t.Fatalf("netlab: sniff %s: %v", s.what, err)
	}
	return pkts
}

// StopErr is Stop returning the error instead of failing the test.
func (s *Sniffer) StopErr() ([]Packet, error) {
	s.stop.Do(func() { s.pkts, s.err = s.finish() })
	return s.pkts, s.err
}

func (s *Sniffer) finish() ([]Packet, error) {
	s.settle()
	// SIGINT makes tcpdump flush, print its counts and exit 0. It stops
	// reading the kernel's ring at once: settle has let it drain first.
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return nil, fmt.Errorf("interrupting tcpdump: %w", err)
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return nil, fmt.Errorf("tcpdump ignored SIGINT for 5s: %s", s.stderrText())
	}
	text := s.stderrText()
	if s.waitErr != nil {
		return nil, fmt.Errorf("tcpdump: %w: %s", s.waitErr, text)
	}
	pkts, err := readPcap(s.path)
	if err != nil {
		return nil, err
	}
	captured, received, dropped := tcpdumpCounts(text)
	switch {
	case dropped > 0:
		return pkts, fmt.Errorf("tcpdump: %d packets dropped by kernel: %s", dropped, text)
	case captured != len(pkts):
		return pkts, fmt.Errorf("tcpdump reports %d packets captured, the file holds %d", captured, len(pkts))
	case received > captured:
		return pkts, fmt.Errorf("tcpdump: %d packets passed the filter but only %d were written", received, captured)
	}
	return pkts, nil
}

// settle waits until the pcap file has not grown for 150 ms (at most
// 3 s), so that packets still crossing the link or waiting in tcpdump's
// ring are written before tcpdump is told to stop.
func (s *Sniffer) settle() {
	const quiet, most, step = 150 * time.Millisecond, 3 * time.Second, 25 * time.Millisecond
	var last int64 = -1
	var still time.Duration
	tick := time.NewTicker(step)
	defer tick.Stop()
	for waited := time.Duration(0); waited < most && still < quiet; waited += step {
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
		fi, err := os.Stat(s.path)
		if err != nil {
			return
		}
		if fi.Size() == last {
			still += step
		} else {
			last, still = fi.Size(), 0
		}
	}
}

var countRE = regexp.MustCompile(`(?m)^(\d+) packets? (captured|received by filter|dropped by kernel)$`)

// tcpdumpCounts reads the counts tcpdump prints on exit.
func tcpdumpCounts(stderr string) (captured, received, dropped int) {
	for _, m := range countRE.FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "captured":
			captured = n
		case "received by filter":
			received = n
		case "dropped by kernel":
			dropped = n
		}
	}
	return captured, received, dropped
}

// readPcap reads every packet of a pcap file.
func readPcap(path string) ([]Packet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var pkts []Packet
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return pkts, nil
		}
		if err != nil {
			return pkts, fmt.Errorf("reading %s: %w", path, err)
		}
		pkts = append(pkts, Packet{Timestamp: ci.Timestamp, LinkType: r.LinkType(), Data: data, Length: ci.Length})
	}
}
