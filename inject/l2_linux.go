package inject

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/byteorder"
)

// linkSender sends IPv4 packets exactly as built, through a packet
// socket in cooked mode (AF_PACKET, SOCK_DGRAM, packet(7)): the kernel
// adds the link-layer header for the address given and touches nothing
// of the IP header, unlike a header-included raw socket (raw(7)). It
// does the kernel's routing itself: each destination's interface and
// next hop are looked up once, when it opens.
type linkSender struct {
	f    *os.File
	rc   syscall.RawConn
	hops map[netip.Addr]unix.SockaddrLinklayer
}

// openLinkSender opens a packet socket and finds the link-layer
// destination of each of dsts, out of iface when it is not empty.
func openLinkSender(dsts []netip.Addr, iface string) (*linkSender, error) {
	oif := 0
	if iface != "" {
		ifi, err := net.InterfaceByName(iface)
		if err != nil {
			return nil, err
		}
		oif = ifi.Index
	}
	// Protocol 0: the socket sends and receives nothing (packet(7)).
	f, err := openPacket(0, 0)
	if err != nil {
		return nil, err
	}
	l := &linkSender{f: f, hops: make(map[netip.Addr]unix.SockaddrLinklayer)}
	if l.rc, err = f.SyscallConn(); err != nil {
		f.Close()
		return nil, err
	}
	for _, dst := range dsts {
		if _, ok := l.hops[dst]; ok {
			continue
		}
		if l.hops[dst], err = nextHop(dst, oif); err != nil {
			f.Close()
			return nil, err
		}
	}
	return l, nil
}

// nextHop returns the packet socket address of a packet to dst: the
// interface of the kernel's route and the link-layer address of the
// gateway, or of dst itself when it is on the link.
func nextHop(dst netip.Addr, oif int) (unix.SockaddrLinklayer, error) {
	r, err := lookupRoute(dst, oif)
	if err != nil {
		return unix.SockaddrLinklayer{}, &net.OpError{Op: "route", Net: "ip4", Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: err}
	}
	ifi, err := net.InterfaceByIndex(r.ifindex)
	if err != nil {
		return unix.SockaddrLinklayer{}, err
	}
	hw, ok := fixedLinkAddr(r.typ, ifi.Flags, len(ifi.HardwareAddr), dst)
	if !ok {
		hop := dst
		if r.gateway.IsValid() {
			hop = r.gateway
		}
		if hw, err = linkAddrOf(ifi, r.src, hop); err != nil {
			return unix.SockaddrLinklayer{}, err
		}
	}
	sa := unix.SockaddrLinklayer{Protocol: byteorder.Htons(unix.ETH_P_IP), Ifindex: ifi.Index, Halen: uint8(len(hw))}
	if len(hw) > len(sa.Addr) {
		return unix.SockaddrLinklayer{}, fmt.Errorf("inject: %s: link-layer address %v too long", ifi.Name, hw)
	}
	copy(sa.Addr[:], hw)
	return sa, nil
}

// writeBatch sends the packets of batch, all to dst, one sendto(2) each,
// and returns how many it sent. ctx's end interrupts a wait for room in
// the socket's buffer.
func (l *linkSender) writeBatch(ctx context.Context, batch [][]byte, dst netip.Addr) (int, error) {
	// A copy per call: Sendto writes into the address it is given, and
	// several senders may share the socket.
	sa, ok := l.hops[dst]
	if !ok {
		return 0, fmt.Errorf("inject: no next hop for %s", dst)
	}
	stop := context.AfterFunc(ctx, func() { l.f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	for i, b := range batch {
		var serr error
		err := l.rc.Write(func(fd uintptr) bool {
			serr = unix.Sendto(int(fd), b, 0, &sa)
			return serr != unix.EAGAIN
		})
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				err = ctx.Err()
			}
			return i, err
		}
		if serr != nil {
			return i, &net.OpError{Op: "write", Net: "packet", Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: os.NewSyscallError("sendto", serr)}
		}
	}
	return len(batch), nil
}

// Close closes the socket.
func (l *linkSender) Close() error { return l.f.Close() }
