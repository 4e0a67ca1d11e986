//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// pingRequest is an ICMP echo request with the given sequence; the
// ping socket fills the identifier and the checksum.
func pingRequest(seq uint16) []byte {
	b := []byte{8, 0, 0, 0, 0, 0, 0, 0, 'r', 'a', 'w', 'k', 'i', 't'}
	binary.BigEndian.PutUint16(b[6:], seq)
	return b
}

// A ping socket with RecvErr reads the ICMP errors its requests cause
// from the error queue, across a chain of routers: time exceeded from
// the second router at TTL 2, host unreachable from the last router for
// an address with no host. The capture on the client is the oracle.
func TestPingSocketErrorQueue(t *testing.T) {
	netlabtest.Privileged(t)
	ch := netlabtest.NewChain(t, 3)
	if err := ch.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cases := []struct {
		name     string
		ttl      int
		dst      netip.Addr
		from     netip.Addr
		typ      int
		code     int
		errno    unix.Errno
		wantSeen int
	}{
		{"time exceeded", 2, ch.Server.Addr(), ch.RouterAddr(1), 11, 0, unix.EHOSTUNREACH, 1},
		{"host unreachable", 0, ch.Unreachable(), ch.RouterAddr(2), 3, 1, unix.EHOSTUNREACH, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := openIn(t, ch.Client, func() (*Conn, error) {
				return ListenPing(&Config{RecvErr: true, TTL: tc.ttl, Timestamps: true})
			})
			s := netlabtest.Sniff(t, ch.Client, "eth0", "icmp")
			const seq = 4242
			if _, err := c.WriteToAddr(ctx, pingRequest(seq), tc.dst); err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 1500)
			m, err := c.ReadMsg(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			pkts := s.Stop()
			want := ExtendedError{Origin: ErrOriginICMP, Errno: tc.errno, Type: tc.typ, Code: tc.code, Offender: tc.from}
			if m.ExtErr != want || m.Src != tc.from || m.Dst != tc.dst || m.Received.IsZero() {
				t.Errorf("got ExtErr %+v Src %v Dst %v Received %v; want %+v from %v to %v",
					m.ExtErr, m.Src, m.Dst, m.Received, want, tc.from, tc.dst)
			}
			if len(m.Data) < 8 || m.Data[0] != 8 || int(binary.BigEndian.Uint16(m.Data[4:])) != c.LocalPort() ||
				binary.BigEndian.Uint16(m.Data[6:]) != seq {
				t.Errorf("quoted request % x: want type 8, id %d, seq %d", m.Data, c.LocalPort(), seq)
			}
			// The capture saw that error arrive, quoting that request.
			seen := 0
			for _, p := range captured(t, pkts) {
				q := p.payload
				if p.hdr.Protocol != 1 || len(q) < 8+20+8 || int(q[0]) != tc.typ || addr(p.hdr.Src) != tc.from {
					continue
				}
				inner := q[8+int(q[8]&15)*4:]
				if binary.BigEndian.Uint16(inner[4:]) == uint16(c.LocalPort()) && binary.BigEndian.Uint16(inner[6:]) == seq {
					seen++
				}
			}
			if seen != tc.wantSeen {
				t.Errorf("capture saw %d type %d errors from %v quoting the request, want %d", seen, tc.typ, tc.from, tc.wantSeen)
			}
		})
	}
}

// An ordinary read on a RecvErr socket that is waiting when an error
// arrives is woken and returns it; replies still come as packets.
func TestPingSocketErrorQueueWakesReader(t *testing.T) {
	netlabtest.Privileged(t)
	ch := netlabtest.NewChain(t, 2)
	if err := ch.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := openIn(t, ch.Client, func() (*Conn, error) { return ListenPing(&Config{RecvErr: true}) })
	got := make(chan Message, 2)
	errc := make(chan error, 1)
	go func() {
		b := make([]byte, 1500)
		for range 2 {
			m, err := c.ReadMsg(ctx, b)
			if err != nil {
				errc <- err
				return
			}
			m.Data = append([]byte(nil), m.Data...)
			got <- m
		}
	}()
	time.Sleep(50 * time.Millisecond) // let the reader block first
	if _, err := c.WriteToAddr(ctx, pingRequest(1), ch.Unreachable()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToAddr(ctx, pingRequest(2), ch.Server.Addr()); err != nil {
		t.Fatal(err)
	}
	var errs, replies int
	for range 2 {
		select {
		case m := <-got:
			switch {
			case m.ExtErr.Origin == ErrOriginICMP && m.ExtErr.Type == 3:
				errs++
			case m.ExtErr.Origin == ErrOriginNone && len(m.Data) >= 8 && m.Data[0] == 0 && m.Src == ch.Server.Addr():
				replies++
			}
		case err := <-errc:
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	if errs != 1 || replies != 1 {
		t.Errorf("read %d errors and %d replies, want 1 and 1", errs, replies)
	}
}
