//go:build privileged

package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"github.com/rawkit/rawkit/raw"
)

// BenchmarkFloodFloorSocket is BenchmarkFloodFloor on the socket the echo
// engine opens (Listen in raw mode: the BPF filter and ICMP_FILTER,
// kernel receive stamps; the runtime poller only once a read waits),
// written and read through
// raw.Conn's TryWriteTo and TryReadMsg as the flood does, with nothing
// else: no table, statistics, events or output. Each op is one round trip
// to 127.0.0.1. What `rawkit ping -f` takes above this is the engine's
// own; what this takes above BenchmarkFloodFloor is the socket's.
func BenchmarkFloodFloorSocket(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	var s *Socket
	if err := h.Do(func() (err error) {
		s, err = Listen(&ListenConfig{Mode: ModeRaw})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	defer s.Conn.Close()
	c := s.Conn.(*rawConn).c
	dst := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	buf := make([]byte, 1500)
	pkt := make([]byte, 0, 64)
	var tok Token
	var seq uint16
	for b.Loop() {
		seq++
		pkt = AppendRequest(pkt[:0], s.ID, seq, tok, uint32(seq), defaultEchoPayload)
		if _, err := c.TryWriteTo(pkt, dst); err != nil {
			b.Fatal(err)
		}
		for {
			m, err := c.TryReadMsg(buf)
			if err == raw.ErrWouldBlock {
				m, err = c.ReadMsg(context.Background(), buf)
			}
			if err != nil {
				b.Fatal(err)
			}
			if d := m.Data; len(d) >= echoHeaderLen && d[0] == icmp.TypeEchoReply && binary.BigEndian.Uint16(d[6:]) == seq {
				break
			}
		}
	}
}
