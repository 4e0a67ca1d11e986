//go:build linux && privileged

package endpoint

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/byteorder"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// The unprivileged tests check what the client reads; these check what
// crossed the wire, with an AF_PACKET capture on the loopback of a
// namespace of the test's own (packet(7)): that the server's FIN comes
// after every echoed byte and no RST is sent on a graceful stop or an
// idle close, and that a connection over the limit is reset.

type segment struct {
	src, dst uint16
	seq      uint32
	flags    byte
	payload  int
}

const (
	tcpFIN = 0x01
	tcpRST = 0x04
)

// capture opens an AF_PACKET socket on lo; it must run inside h.Do.
func capture() (int, error) {
	proto := int(byteorder.Htons(unix.ETH_P_ALL))
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	lo, err := net.InterfaceByName("lo")
	if err == nil {
		err = unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: uint16(proto), Ifindex: lo.Index})
	}
	if err == nil {
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// segments reads every captured frame received on lo (PACKET_HOST; lo
// shows each packet also as PACKET_OUTGOING) and decodes its TCP header.
func segments(t *testing.T, fd int) []segment {
	t.Helper()
	var out []segment
	buf := make([]byte, 70000)
	for {
		n, from, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			return out
		}
		if err != nil {
			t.Fatalf("capture: %v", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); !ok || ll.Pkttype != unix.PACKET_HOST {
			continue
		}
		f := buf[:n]
		if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != unix.ETH_P_IP || f[14+9] != unix.IPPROTO_TCP {
			continue
		}
		ip := f[14:]
		ihl := int(ip[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		tcp := ip[ihl:]
		doff := int(tcp[12]>>4) * 4
		out = append(out, segment{src: binary.BigEndian.Uint16(tcp), dst: binary.BigEndian.Uint16(tcp[2:]),
			seq: binary.BigEndian.Uint32(tcp[4:]), flags: tcp[13], payload: total - ihl - doff})
	}
}

// flow sums what one side sent: payload bytes, and whether and where
// it sent FIN and RST.
func flow(segs []segment, src, dst uint16) (bytes int, finAfter, rst bool, fin bool) {
	var first, finSeq uint32
	seen := false
	for _, s := range segs {
		if s.src != src || s.dst != dst {
			continue
		}
		if !seen {
			first, seen = s.seq, true
		}
		bytes += s.payload
		if s.flags&tcpFIN != 0 {
			fin, finSeq = true, s.seq+uint32(s.payload)
		}
		rst = rst || s.flags&tcpRST != 0
	}
	// The FIN's sequence number is one past the SYN plus every byte sent.
	finAfter = fin && finSeq-first == uint32(bytes)+1
	return bytes, finAfter, rst, fin
}

func port(a net.Addr) uint16 { return uint16(a.(*net.TCPAddr).Port) }

func TestWireGracefulStopIdleAndRefusal(t *testing.T) {
	if os.Geteuid() != 0 && os.Getenv("RAWKIT_PRIVILEGED") != "1" {
		t.Skip("needs root for namespaces and AF_PACKET: run scripts/test-privileged.sh")
	}
	h := netlabtest.NewHost(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		fd                  int
		srv, idleSrv, limit *Server
		a, b, c, d          net.Conn
	)
	err := h.Do(func() error {
		var err error
		if fd, err = capture(); err != nil {
			return err
		}
		if srv, err = Listen(ctx, "tcp", "127.0.0.1:0", &Config{Drain: 5 * time.Second}); err != nil {
			return err
		}
		if idleSrv, err = Listen(ctx, "tcp", "127.0.0.1:0", &Config{IdleTimeout: 200 * time.Millisecond}); err != nil {
			return err
		}
		if limit, err = Listen(ctx, "tcp", "127.0.0.1:0", &Config{MaxConns: 1}); err != nil {
			return err
		}
		for _, x := range []struct {
			c *net.Conn
			s *Server
		}{{&a, srv}, {&b, idleSrv}, {&c, limit}} {
			if *x.c, err = net.Dial("tcp", x.s.Addr().String()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("in namespace %s: %v", h, err)
	}
	defer unix.Close(fd)
	for _, s := range []*Server{srv, idleSrv, limit} {
		defer s.Close()
	}
	srvCtx, stopSrv := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srvCtx) }()
	go idleSrv.Serve(ctx)
	go limit.Serve(ctx)

	// Graceful stop: half the data before the cancel, half after.
	first, second := strings.Repeat("a", 3000), strings.Repeat("b", 5000)
	io.WriteString(a, first)
	if _, err := io.ReadFull(a, make([]byte, len(first))); err != nil {
		t.Fatal(err)
	}
	stopSrv()
	<-srv.Draining()
	io.WriteString(a, second)
	a.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(a)
	if err != nil || string(got) != second {
		t.Fatalf("after the stop the echo was %d bytes, %v", len(got), err)
	}
	<-done

	// Idle: wait for the server to give up on b.
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}

	// Limit: c holds the one slot; d is reset.
	io.WriteString(c, "x")
	io.ReadFull(c, make([]byte, 1))
	_ = h.Do(func() error {
		var err error
		if d, err = net.Dial("tcp", limit.Addr().String()); err != nil {
			d = nil // reset while connecting: the capture still shows it
		}
		return nil
	})
	if d != nil {
		d.SetReadDeadline(time.Now().Add(5 * time.Second))
		d.Read(make([]byte, 1)) // returns once the reset is in
	}

	segs := segments(t, fd)
	sp, cp := port(srv.Addr()), port(a.LocalAddr())
	n, finAfter, rst, _ := flow(segs, sp, cp)
	if n != len(first)+len(second) || !finAfter || rst {
		t.Errorf("graceful stop on the wire: server sent %d bytes (want %d), FIN after them %v, RST %v",
			n, len(first)+len(second), finAfter, rst)
	}
	if _, _, rst, _ := flow(segs, cp, sp); rst {
		t.Error("graceful stop: the client sent RST")
	}
	_, finAfter, rst, _ = flow(segs, port(idleSrv.Addr()), port(b.LocalAddr()))
	if !finAfter || rst {
		t.Errorf("idle close on the wire: FIN %v, RST %v; want an orderly FIN", finAfter, rst)
	}
	lp := port(limit.Addr())
	resets := 0
	for _, s := range segs {
		if s.src == lp && s.flags&tcpRST != 0 {
			resets++
			if d != nil && s.dst != port(d.LocalAddr()) {
				t.Errorf("reset sent to port %d, not the connection over the limit", s.dst)
			}
		}
	}
	if resets != 1 {
		t.Errorf("connection over the limit: %d RSTs on the wire, want 1", resets)
	}
	for _, x := range []net.Conn{a, b, c, d} {
		if x != nil {
			x.Close()
		}
	}
}
