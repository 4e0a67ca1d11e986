package trace

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/internal/sockaddr"
)

// udpSock is an unprivileged UDP probe socket, as tracepath's: an
// ordinary UDP socket with IP_RECVERR (IPV6_RECVERR) on, whose probes'
// time exceeded and unreachable errors the kernel queues on its error
// queue with the probe's payload, the error's sender (SO_EE_OFFENDER)
// and its receive time (SO_TIMESTAMPNS); ip(7), ipv6(7). Its reader
// waits in poll(2) for the queue (POLLERR) or for a byte on its wake
// pipe, so that a cancelled run ends the wait.
type udpSock struct {
	fd   int
	v6   bool
	port uint16
	wake [2]int
}

func udpOpErr(call string, err error) error {
	return &net.OpError{Op: call, Net: "udp", Err: os.NewSyscallError(call, err)}
}

// openUDP opens a UDP probe socket bound to src (zero: any) and a free
// port.
func openUDP(src netip.Addr, v6 bool, iface string, tos int) (*udpSock, error) {
	dom, lvl, recverr := unix.AF_INET, unix.IPPROTO_IP, unix.IP_RECVERR
	if v6 {
		dom, lvl, recverr = unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_RECVERR
	}
	fd, err := unix.Socket(dom, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, udpOpErr("socket", err)
	}
	u := &udpSock{fd: fd, v6: v6, wake: [2]int{-1, -1}}
	fail := func(call string, err error) (*udpSock, error) {
		u.Close()
		return nil, udpOpErr(call, err)
	}
	if err := unix.SetsockoptInt(fd, lvl, recverr, 1); err != nil {
		return fail("setsockopt", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return fail("setsockopt", err)
	}
	if tos != 0 {
		opt, lv := unix.IP_TOS, unix.IPPROTO_IP
		if v6 {
			opt, lv = unix.IPV6_TCLASS, unix.IPPROTO_IPV6
		}
		if err := unix.SetsockoptInt(fd, lv, opt, tos); err != nil {
			return fail("setsockopt", err)
		}
	}
	if iface != "" {
		if err := unix.BindToDevice(fd, iface); err != nil {
			return fail("setsockopt", err)
		}
	}
	if !src.IsValid() {
		src = netip.IPv4Unspecified()
		if v6 {
			src = netip.IPv6Unspecified()
		}
	}
	if err := unix.Bind(fd, sockaddr.From(src, 0)); err != nil {
		return fail("bind", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		u.port = uint16(a.Port)
	case *unix.SockaddrInet6:
		u.port = uint16(a.Port)
	}
	if err := unix.Pipe2(u.wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return fail("pipe2", err)
	}
	return u, nil
}

// send sends payload b to dst:port with the given TTL (hop limit).
func (u *udpSock) send(b []byte, dst netip.Addr, port, ttl int) error {
	lvl, opt := unix.IPPROTO_IP, unix.IP_TTL
	if u.v6 {
		lvl, opt = unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS
	}
	if err := unix.SetsockoptInt(u.fd, lvl, opt, ttl); err != nil {
		return udpOpErr("setsockopt", err)
	}
	sa := sockaddr.From(dst, port)
	err := unix.Sendto(u.fd, b, 0, sa)
	if pendingError(err) {
		// An earlier probe's error was reported on this send (sk_err)
		// instead of sending it: send it now (see sendPing).
		err = unix.Sendto(u.fd, b, 0, sa)
	}
	if err != nil {
		return udpOpErr("sendto", err)
	}
	return nil
}

// wakeUp ends a wait in read, and every later one.
func (u *udpSock) wakeUp() { unix.Write(u.wake[1], []byte{1}) }

// Close releases the socket; no read may be in progress.
func (u *udpSock) Close() error {
	for _, fd := range []int{u.wake[0], u.wake[1]} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	return unix.Close(u.fd)
}

// udpError is one entry of the error queue.
type udpError struct {
	payload   []byte
	from      netip.Addr
	origin    uint8
	typ, code int
	info      uint32
	received  time.Time
}

// read waits for an error queue entry and returns it; net.ErrClosed
// once woken. Datagrams that arrive (nobody should send any) are read
// and dropped.
func (u *udpSock) read(buf, oob []byte) (udpError, error) {
	for {
		fds := []unix.PollFd{{Fd: int32(u.fd), Events: unix.POLLIN}, {Fd: int32(u.wake[0]), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return udpError{}, udpOpErr("poll", err)
		}
		if fds[1].Revents != 0 {
			return udpError{}, net.ErrClosed
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			unix.Recvfrom(u.fd, buf, unix.MSG_DONTWAIT)
		}
		if fds[0].Revents&unix.POLLERR == 0 {
			continue
		}
		n, oobn, _, _, err := unix.Recvmsg(u.fd, buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return udpError{}, udpOpErr("recvmsg", err)
		}
		if e, ok := parseUDPError(buf[:n], oob[:oobn]); ok {
			return e, nil
		}
	}
}

// parseUDPError reads the control messages of an error queue entry:
// struct sock_extended_err and the offender's address (ip(7)), and the
// receive time.
func parseUDPError(payload, oob []byte) (udpError, bool) {
	e := udpError{payload: payload}
	cms, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return e, false
	}
	ok := false
	for _, cm := range cms {
		h, d := cm.Header, cm.Data
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(d) >= 16:
			ts := (*unix.Timespec)(unsafe.Pointer(&d[0]))
			e.received = time.Unix(ts.Unix())
		case (h.Level == unix.IPPROTO_IP && h.Type == unix.IP_RECVERR) ||
			(h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_RECVERR):
			if len(d) < 16 {
				continue
			}
			e.origin, e.typ, e.code = d[4], int(d[5]), int(d[6])
			e.info = binary.NativeEndian.Uint32(d[8:])
			off := d[16:]
			switch {
			case len(off) >= 8 && binary.NativeEndian.Uint16(off) == unix.AF_INET:
				e.from = netip.AddrFrom4([4]byte(off[4:8]))
			case len(off) >= 24 && binary.NativeEndian.Uint16(off) == unix.AF_INET6:
				e.from = netip.AddrFrom16([16]byte(off[8:24])).Unmap()
			}
			ok = true
		}
	}
	return e, ok && (e.origin == unix.SO_EE_ORIGIN_ICMP || e.origin == unix.SO_EE_ORIGIN_ICMP6)
}

// udpPayloadLen is the payload of an unprivileged UDP probe: its
// identity and the word that keeps the checksum fixed (Paris mode).
const udpPayloadLen = 4

// sendUDP sends flow f's probe idx at ttl on its UDP socket: the payload
// carries the identity idx+1 and its complement, so that the kernel's
// UDP checksum is the same for every probe of the flow (Paris); in
// classic mode the destination port is Port+idx too, as traceroute's.
func (m *Monitor) sendUDP(buf []byte, f, idx, ttl int) ([]byte, error) {
	pr := &m.probers[f]
	hdr := ipHeaderLen + udpHeaderLen
	if pr.v6 {
		hdr = ipv6HeaderLen + udpHeaderLen
	}
	n := max(m.s.Length-hdr, udpPayloadLen)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	b := buf[:n]
	clear(b)
	seq := uint16(idx + 1)
	binary.BigEndian.PutUint16(b, seq)
	binary.BigEndian.PutUint16(b[2:], ^seq)
	port := int(pr.dport)
	if !pr.paris {
		port += idx
	}
	return buf, m.udps[f].send(b, pr.dst, port, ttl)
}

// receiveUDP reads flow f's error queue until ctx is done.
func (m *Monitor) receiveUDP(ctx context.Context, f int, out chan<- monitorAnswer) {
	u := m.udps[f]
	pr := &m.probers[f]
	stop := context.AfterFunc(ctx, u.wakeUp)
	defer stop()
	buf, oob := make([]byte, 2048), make([]byte, 512)
	for {
		e, err := u.read(buf, oob)
		if err != nil {
			return
		}
		if len(e.payload) < udpPayloadLen {
			continue
		}
		seq := binary.BigEndian.Uint16(e.payload)
		if seq == 0 || binary.BigEndian.Uint16(e.payload[2:]) != ^seq {
			continue
		}
		a := answer{idx: int(seq) - 1, from: e.from, received: e.received,
			res: ProbeResult{From: e.from, IPv6: pr.v6, Type: e.typ, Code: e.code, QuotedTTL: -1, QuotedTOS: -1}}
		unreach, tooBig := icmp.TypeDestUnreach, -1
		if pr.v6 {
			unreach, tooBig = icmp.TypeDestUnreachV6, icmp.TypePacketTooBigV6
		}
		if e.typ == unreach || e.typ == tooBig {
			a.res.Final, a.res.NextMTU = true, int(e.info)
			a.res.Reached = sameAddr(e.from, pr.dst)
		}
		select {
		case out <- monitorAnswer{flow: f, a: a}:
		case <-ctx.Done():
			return
		}
	}
}
