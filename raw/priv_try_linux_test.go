//go:build privileged

package raw

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// readable waits up to a second, outside the code under test, until c
// has a packet queued; built once, it does not allocate.
type readable struct {
	pfd [1]unix.PollFd
	n   int
	err error
	fn  func(fd uintptr)
}

func newReadable() *readable {
	r := &readable{}
	r.fn = func(fd uintptr) {
		r.pfd[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		r.n, r.err = unix.Poll(r.pfd[:], 1000)
	}
	return r
}

func (r *readable) wait(t *testing.T, c *Conn) {
	rc, _ := c.SyscallConn()
	if err := rc.Control(r.fn); err != nil || r.err != nil || r.n != 1 {
		t.Fatalf("socket not readable within a second: %d, %v, %v", r.n, r.err, err)
	}
}

// TryWriteTo sends without the poller and TryReadMsg takes what is queued
// or says ErrWouldBlock; every request reached the wire (the capture on
// B saw it) and every reply is read back, with no allocation per round.
func TestTryWriteAndRead(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	c := listenEchoReplies(t, p.A, a)
	buf := make([]byte, 1500)
	if _, err := c.TryReadMsg(buf); err != ErrWouldBlock || !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("TryReadMsg on an empty queue: %v, want ErrWouldBlock", err)
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp[icmptype] == icmp-echo")
	const rounds = 50
	req := echoRequest(t, 0x5151, 0, "try")
	seq := 0
	rd := newReadable()
	round := func() {
		seq++
		binary.BigEndian.PutUint16(req[6:], uint16(seq))
		req[2], req[3] = 0, 0
		binary.BigEndian.PutUint16(req[2:], inetChecksum(req))
		if n, err := c.TryWriteTo(req, b); err != nil || n != len(req) {
			t.Fatalf("TryWriteTo: %d, %v", n, err)
		}
		rd.wait(t, c)
		m, err := c.TryReadMsg(buf)
		if err != nil {
			t.Fatalf("TryReadMsg with a reply queued: %v", err)
		}
		d := m.Data
		if m.Src != b || m.TTL != 64 || m.Received.IsZero() || len(d) < 8 || d[0] != 0 ||
			binary.BigEndian.Uint16(d[4:]) != 0x5151 || int(binary.BigEndian.Uint16(d[6:])) != seq {
			t.Fatalf("round %d: read %+v", seq, m)
		}
	}
	round()
	if allocs := testing.AllocsPerRun(rounds-1, round); allocs != 0 && !raceEnabled {
		t.Errorf("%v allocations per round", allocs)
	}
	time.Sleep(50 * time.Millisecond)
	seen := map[int]bool{}
	for _, g := range captured(t, sn.Stop()) {
		if addr(g.hdr.Src) == a && len(g.payload) >= 8 && binary.BigEndian.Uint16(g.payload[4:]) == 0x5151 {
			seen[int(binary.BigEndian.Uint16(g.payload[6:]))] = true
		}
	}
	if len(seen) != seq {
		t.Errorf("capture saw %d of the %d requests", len(seen), seq)
	}
}
