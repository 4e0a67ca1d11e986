//go:build privileged

package raw

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// TestIPv6OptionsOnTheWire: on a UDP raw socket bound to A's address and
// interface, SetChecksumOffset has the kernel fill the UDP checksum
// (valid on B's capture), DFDo refuses a datagram over the MTU with
// EMSGSIZE, DFDont lets the kernel fragment it (B captures fragments,
// next header 44), and the mark reads back from the socket.
func TestIPv6OptionsOnTheWire(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr6(), p.B.Addr6()
	udp := func(n int) []byte {
		u := make([]byte, n)
		u[0], u[1], u[3] = 0x9c, 0x40, 9 // 40000 -> 9
		u[4], u[5] = byte(n>>8), byte(n)
		return u
	}
	do := openIn(t, p.A, func() (*Conn, error) {
		return ListenIPv6(17, &Config{Source: a, Interface: p.AIf, Mark: 0x42, DontFragment: DFDo})
	})
	dont := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(17, &Config{DontFragment: DFDont}) })
	for _, c := range []*Conn{do, dont} {
		if err := c.SetChecksumOffset(6); err != nil {
			t.Fatal(err)
		}
	}
	var mark int
	rc, _ := do.SyscallConn()
	_ = rc.Control(func(fd uintptr) { mark, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK) })
	if mark != 0x42 {
		t.Errorf("SO_MARK %#x, want 0x42", mark)
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "ip6 and not icmp6 and src host "+a.String()) // no neighbour discovery
	ctx := context.Background()
	if _, err := do.WriteToAddr(ctx, udp(64), b); err != nil {
		t.Fatal(err)
	}
	if _, err := do.WriteToAddr(ctx, udp(2000), b); !errors.Is(err, syscall.EMSGSIZE) {
		t.Errorf("DFDo, 2000 bytes over a 1500-byte link: %v, want EMSGSIZE", err)
	}
	if _, err := dont.WriteToAddr(ctx, udp(2000), b); err != nil {
		t.Fatalf("DFDont, 2000 bytes: %v", err)
	}
	got := captured6(sn.Stop())
	if len(got) != 3 {
		t.Fatalf("B captured %d packets from A, want 1 datagram and 2 fragments", len(got))
	}
	if g := got[0]; g.next != 17 || len(g.payload) != 64 || checksum6(g.src, g.dst, 17, g.payload) != 0 || g.payload[6]|g.payload[7] == 0 {
		t.Errorf("datagram: next header %d, %d bytes, checksum %x", g.next, len(g.payload), g.payload[6:8])
	}
	if got[1].next != 44 || got[2].next != 44 {
		t.Errorf("DFDont: next headers %d and %d, want fragments (44)", got[1].next, got[2].next)
	}
}

// TestIPv6BadInput: an IPv4 source, an unknown zone on the source and a
// checksum offset on an ICMPv6 socket are refused naming the value.
func TestIPv6BadInput(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Source: netip.MustParseAddr("10.0.0.1")}, "10.0.0.1 is not IPv6"},
		{Config{Source: netip.MustParseAddr("fe80::1%nosuch0")}, `unknown zone "nosuch0"`},
		{Config{Source: netip.MustParseAddr("fd00::99")}, "fd00::99 is not an address of this host"},
		{Config{Interface: "nosuch0"}, `unknown interface "nosuch0"`},
	} {
		err := p.A.Do(func() error {
			c, err := ListenIPv6(58, &tt.cfg)
			if err == nil {
				c.Close()
			}
			return err
		})
		if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want bad input saying %q", tt.cfg, err, tt.want)
		}
	}
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, nil) })
	if err := c.SetChecksumOffset(6); !errors.Is(err, os.ErrInvalid) && !errors.Is(err, syscall.EINVAL) {
		t.Errorf("checksum offset on ICMPv6: %v", err)
	}
}

// TestIPv6BPFSeesPayload: a BPF program on an IPv6 raw socket sees the
// packet from what follows the IPv6 header: one that passes only byte 0
// = 129 reads B's echo reply and not the neighbour advertisement before
// it.
func TestIPv6BPFSeesPayload(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 0, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 129, SkipFalse: 1},
		bpf.RetConstant{Val: 0xffff},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := openIn(t, p.A, func() (*Conn, error) { return ListenIPv6(58, &Config{Filter: prog}) })
	if _, err := c.WriteToAddr(context.Background(), echo6Request(2, 1, "bpf"), p.B.Addr6()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var types []byte
	for range 10 {
		m, err := c.ReadMsg(ctx, make([]byte, 1500))
		if err != nil {
			break
		}
		types = append(types, m.Data[0])
	}
	if string(types) != "\x81" {
		t.Errorf("read ICMPv6 types %v, want only the echo reply [129]", types)
	}
}
