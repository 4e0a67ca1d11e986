//go:build go1.25

package ping

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/internal/checksum"
)

// fakeConn is an in-memory socket for the echo engine: what is written goes to
// a script that decides which messages come back and when, on the fake
// clock of a synctest bubble.
type fakeConn struct {
	mu       sync.Mutex
	in       chan icmp.Message
	deadline time.Time
	script   func(b []byte, dst netip.Addr) []delivery
	sent     []sentPkt
	closed   chan struct{}
	moved    chan struct{}      // the read deadline changed
	used     map[time.Time]bool // deliveries due at one instant keep their order
	// mtu, when set, is the path MTU: a longer packet is refused as the
	// kernel refuses it with IP_PMTUDISC_DO (EMSGSIZE), nothing sent.
	mtu int
}

type sentPkt struct {
	b   []byte
	dst netip.Addr
	at  time.Time
}

// delivery is one message the script sends back after a delay.
type delivery struct {
	after time.Duration
	msg   icmp.Message
}

func newFakeConn(script func(b []byte, dst netip.Addr) []delivery) *fakeConn {
	return &fakeConn{in: make(chan icmp.Message, 1<<17), script: script, closed: make(chan struct{}), moved: make(chan struct{}, 1), used: map[time.Time]bool{}}
}

func (c *fakeConn) ReadBatch(ctx context.Context, ms []icmp.Message) (int, error) {
	var m icmp.Message
	for got := false; !got; {
		c.mu.Lock()
		dl := c.deadline
		c.mu.Unlock()
		var timeout <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			t := time.NewTimer(d)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case m = <-c.in:
			got = true
		case <-c.moved: // a new deadline: look again, as a socket does
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-timeout:
			return 0, os.ErrDeadlineExceeded
		case <-c.closed:
			return 0, os.ErrClosed
		}
	}
	n := 0
	for {
		ms[n].Data = ms[n].Buf[:copy(ms[n].Buf, m.Data)]
		ms[n].Src, ms[n].TTL, ms[n].Received = m.Src, m.TTL, m.Received
		n++
		if n == len(ms) {
			return n, nil
		}
		select {
		case m = <-c.in:
		default:
			return n, nil
		}
	}
}

func (c *fakeConn) WriteTo(_ context.Context, b []byte, dst netip.Addr) (int, error) {
	if hdr := map[bool]int{false: 20, true: 40}[dst.Is6()]; c.mtu > 0 && hdr+len(b) > c.mtu {
		err := &net.OpError{Op: "write", Net: "ip", Err: os.NewSyscallError("sendto", syscall.EMSGSIZE)}
		return 0, &icmp.MessageTooLongError{MTU: c.mtu, Err: err}
	}
	p := append([]byte(nil), b...)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, sentPkt{p, dst, time.Now()})
	for _, d := range c.script(p, dst) {
		msg := d.msg
		at := time.Now().Add(d.after)
		for c.used[at] {
			at = at.Add(time.Nanosecond)
		}
		c.used[at] = true
		time.AfterFunc(time.Until(at), func() {
			msg.Received = time.Now()
			c.in <- msg
		})
	}
	return len(b), nil
}

func (c *fakeConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	select {
	case c.moved <- struct{}{}:
	default:
	}
	return nil
}

func (c *fakeConn) Close() error { close(c.closed); return nil }

// echoReply turns a request into the reply a host would send: ICMPv6's
// echo reply to an ICMPv6 request, whose checksum the kernel checks.
func echoReply(req []byte) []byte {
	r := append([]byte(nil), req...)
	if r[0] == icmp.TypeEchoV6 {
		r[0] = icmp.TypeEchoReplyV6
		return r
	}
	r[0], r[2], r[3] = icmp.TypeEchoReply, 0, 0
	binary.BigEndian.PutUint16(r[2:], checksum.Checksum(r))
	return r
}

// ipv4Header builds the 20-byte header a quoted datagram starts with.
func ipv4Header(src, dst netip.Addr, ttl int, payloadLen int) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+payloadLen))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	h[8], h[9] = byte(ttl), 1
	s, d := src.As4(), dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	binary.BigEndian.PutUint16(h[10:], checksum.Checksum(h))
	return h
}

// ipv6Header builds the 40-byte header a quoted ICMPv6 datagram starts
// with.
func ipv6Header(src, dst netip.Addr, hlim int, payloadLen int) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(payloadLen))
	h[6], h[7] = 58, byte(hlim)
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return h
}

// icmpErrorFor builds an ICMP error quoting req (sent from src to dst),
// keeping quoteLen bytes of the ICMP message (-1: all of it); between
// IPv6 addresses, an ICMPv6 error of that type and code.
func icmpErrorFor(typ, code int, src, dst netip.Addr, req []byte, quoteLen int) []byte {
	if quoteLen < 0 || quoteLen > len(req) {
		quoteLen = len(req)
	}
	if dst.Is6() {
		m := []byte{byte(typ), byte(code), 0, 0, 0, 0, 0, 0}
		m = append(m, ipv6Header(src, dst, 1, len(req))...)
		return append(m, req[:quoteLen]...)
	}
	m := []byte{byte(typ), byte(code), 0, 0, 0, 0, 0, 0}
	m = append(m, ipv4Header(src, dst, 1, len(req))...)
	m = append(m, req[:quoteLen]...)
	binary.BigEndian.PutUint16(m[2:], checksum.Checksum(m))
	return m
}

// replyAfter is a script answering every request after d from its target.
func replyAfter(d time.Duration) func([]byte, netip.Addr) []delivery {
	return func(b []byte, dst netip.Addr) []delivery {
		return []delivery{{d, icmp.Message{Data: echoReply(b), Src: dst, TTL: 64}}}
	}
}

func seqOf(b []byte) uint16 { return binary.BigEndian.Uint16(b[6:]) }
