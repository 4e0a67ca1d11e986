//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// TestPayloadModeOptionsOnTheWire: TTL, TOS, don't-fragment, source and
// interface set in Config show in what the receiver captures; the mark
// and receive buffer read back from the socket.
func TestPayloadModeOptionsOnTheWire(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	sn := netlabtest.Sniff(t, p.B, p.BIf, "udp and dst port 9")
	udp := func(tag byte) []byte { // header with checksum 0 ("none", RFC 768)
		return []byte{0x9c, 0x40, 0, 9, 0, 10, 0, 0, 'o', tag}
	}
	for _, tt := range []struct {
		cfg Config
		df  bool
	}{
		{Config{TTL: 7, TOS: 0x20, DontFragment: DFDo, Source: a, Interface: p.AIf, Mark: 0x42, ReceiveBuffer: 1 << 20}, true},
		{Config{TTL: 250, TOS: 0x10, DontFragment: DFDont}, false},
	} {
		cfg := tt.cfg
		c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(17, &cfg) })
		if _, err := c.WriteToAddr(context.Background(), udp(byte(cfg.TTL)), b); err != nil {
			t.Fatal(err)
		}
		if cfg.Mark != 0 {
			mark, rcvbuf := sockoptInt(t, c, unix.SO_MARK), sockoptInt(t, c, unix.SO_RCVBUF)
			if mark != int(cfg.Mark) || rcvbuf < cfg.ReceiveBuffer {
				t.Errorf("SO_MARK %#x SO_RCVBUF %d; want %#x, at least %d", mark, rcvbuf, cfg.Mark, cfg.ReceiveBuffer)
			}
		}
	}
	got := captured(t, sn.Stop())
	if len(got) != 2 {
		t.Fatalf("captured %d datagrams, want 2", len(got))
	}
	for i, w := range []struct {
		ttl, tos int
		df       bool
	}{{7, 0x20, true}, {250, 0x10, false}} {
		h := got[i].hdr
		if h.TTL != w.ttl || h.TOS != w.tos || (h.Flags&ipv4.DontFragment != 0) != w.df || addr(h.Src) != a {
			t.Errorf("datagram %d arrived as %v; want TTL %d TOS %#x DF %v from %v", i, h, w.ttl, w.tos, w.df, a)
		}
	}
}

func sockoptInt(t *testing.T, c *Conn, opt int) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return v
}

// TestBPFFilterSelects: a classic BPF program in Config lets through only
// the echo requests with one identifier.
func TestBPFFilterSelects(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a := p.A.Addr()
	const want = 0x1111
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadMemShift{Off: 0},          // X = IPv4 header length
		bpf.LoadIndirect{Off: 4, Size: 2}, // A = ICMP identifier
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: want, SkipTrue: 1},
		bpf.RetConstant{Val: 0xffff},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	rx := openIn(t, p.A, func() (*Conn, error) { return ListenIPv4(1, &Config{Filter: prog}) })
	tx := openIn(t, p.B, func() (*Conn, error) { return ListenIPv4(1, nil) })
	for _, id := range []int{0x2222, want, 0x3333} {
		if _, err := tx.WriteToAddr(context.Background(), echoRequest(t, id, 1, "bpf"), a); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1500)
	rx.SetReadDeadline(time.Now().Add(2 * time.Second))
	m, err := rx.ReadMsg(context.Background(), buf)
	if err != nil {
		t.Fatal(err)
	}
	if id := binary.BigEndian.Uint16(m.Data[4:]); id != want || m.Data[0] != 8 {
		t.Fatalf("read ICMP type %d id %#x, want echo request %#x", m.Data[0], id, want)
	}
	rx.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if m, err := rx.ReadMsg(context.Background(), buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("second read = %x, %v; the filter should have dropped everything else", m.Data, err)
	}
}
