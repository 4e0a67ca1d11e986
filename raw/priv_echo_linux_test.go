//go:build privileged

package raw

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

func echoRequest(t *testing.T, id, seq int, data string) []byte {
	t.Helper()
	b, err := (&icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte(data)}}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readEchoReply reads until the echo reply with id and seq arrives.
func readEchoReply(t *testing.T, c *Conn, id, seq int) Message {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	for range 100 {
		m, err := c.ReadMsg(context.Background(), buf)
		if err != nil {
			t.Fatalf("waiting for echo reply %d/%d: %v", id, seq, err)
		}
		d := m.Data
		if len(d) >= 8 && d[0] == 0 && (c.ping || int(binary.BigEndian.Uint16(d[4:])) == id) && int(binary.BigEndian.Uint16(d[6:])) == seq {
			return m
		}
	}
	t.Fatal("no echo reply among 100 packets")
	return Message{}
}

// TestRawEchoMetadata: a payload-mode raw ICMP echo request gets the peer
// kernel's reply, and the reply's metadata matches what the receiver's
// capture saw.
func TestRawEchoMetadata(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	var ifindex int
	c := openIn(t, p.A, func() (*Conn, error) {
		ifi, err := net.InterfaceByName(p.AIf)
		if err != nil {
			return nil, err
		}
		ifindex = ifi.Index
		f := &ipv4.ICMPFilter{}
		f.SetAll(true)
		f.Accept(ipv4.ICMPTypeEchoReply)
		return ListenIPv4(1, &Config{Timestamps: true, ICMPFilter: f, Interface: p.AIf, Source: a})
	})
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")

	before := time.Now()
	if _, err := c.WriteToAddr(context.Background(), echoRequest(t, 0x7777, 3, "metadata"), b); err != nil {
		t.Fatal(err)
	}
	m := readEchoReply(t, c, 0x7777, 3)
	readAt := time.Now()

	var reply *wirePacket
	for _, g := range captured(t, sn.Stop()) {
		if addr(g.hdr.Src) == b && len(g.payload) > 0 && g.payload[0] == 0 {
			reply = &g
		}
	}
	if reply == nil {
		t.Fatal("the receiver's capture holds no echo reply")
	}
	if m.Src != b || m.Dst != a || m.TTL != reply.hdr.TTL || m.TOS != reply.hdr.TOS || m.IfIndex != ifindex {
		t.Errorf("metadata Src %v Dst %v TTL %d TOS %d IfIndex %d; want %v %v %d %d %d (from the capture)",
			m.Src, m.Dst, m.TTL, m.TOS, m.IfIndex, b, a, reply.hdr.TTL, reply.hdr.TOS, ifindex)
	}
	if m.Received.IsZero() || m.Received.After(readAt) || m.Received.Before(before) {
		t.Errorf("kernel receive time %v outside [send %v, user-space read %v]", m.Received, before, readAt)
	}
	if len(m.Header) != 20 || string(m.Data[8:]) != "metadata" {
		t.Errorf("Header %d bytes, Data %q", len(m.Header), m.Data)
	}
}

// TestPingSocketEcho: the ping socket's kernel-chosen identifier is what
// crosses the wire, and the reply comes back with its metadata.
func TestPingSocketEcho(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	a, b := p.A.Addr(), p.B.Addr()
	if err := p.A.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	c := openIn(t, p.A, func() (*Conn, error) { return ListenPing(&Config{TTL: 9, Timestamps: true}) })
	id := c.LocalPort()
	if id == 0 {
		t.Fatal("ping socket has no identifier after ListenPing")
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	if _, err := c.WriteToAddr(context.Background(), echoRequest(t, 1, 5, "ping socket"), b); err != nil {
		t.Fatal(err)
	}
	m := readEchoReply(t, c, id, 5)
	var req *wirePacket
	for _, g := range captured(t, sn.Stop()) {
		if addr(g.hdr.Src) == a && g.payload[0] == 8 {
			req = &g
		}
	}
	if req == nil {
		t.Fatal("no echo request captured")
	}
	if got := int(binary.BigEndian.Uint16(req.payload[4:])); got != id || req.hdr.TTL != 9 {
		t.Errorf("request on the wire: id %d TTL %d; want LocalPort %d and Config.TTL 9", got, req.hdr.TTL, id)
	}
	if m.Header != nil || m.Src != b || m.Dst != a || m.TTL != 64 || m.Received.IsZero() {
		t.Errorf("reply metadata: Header %v Src %v Dst %v TTL %d Received %v", m.Header, m.Src, m.Dst, m.TTL, m.Received)
	}
}

// TestRawReadUnblocks: deadline, context and Close each end a read that
// nothing will satisfy, on a real raw socket.
func TestRawReadUnblocks(t *testing.T) {
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	open := func() *Conn {
		// Protocol 253 (RFC 3692 experimentation): nothing arrives.
		return openIn(t, h, func() (*Conn, error) { return ListenIPv4(253, nil) })
	}
	t.Run("deadline", func(t *testing.T) {
		c := open()
		start := time.Now()
		c.SetReadDeadline(start.Add(50 * time.Millisecond))
		_, err := c.ReadMsg(context.Background(), make([]byte, 100))
		took := time.Since(start)
		if !errors.Is(err, os.ErrDeadlineExceeded) || took < 50*time.Millisecond || took > 500*time.Millisecond {
			t.Fatalf("read returned %v after %v; want os.ErrDeadlineExceeded after 50-500ms", err, took)
		}
	})
	t.Run("context", func(t *testing.T) {
		c := open()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		_, err := c.ReadMsg(ctx, make([]byte, 100))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("read returned %v, want context.Canceled", err)
		}
	})
	t.Run("close", func(t *testing.T) {
		c := open()
		time.AfterFunc(30*time.Millisecond, func() { c.Close() })
		_, err := c.ReadMsg(context.Background(), make([]byte, 100))
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read returned %v, want net.ErrClosed", err)
		}
	})
}
