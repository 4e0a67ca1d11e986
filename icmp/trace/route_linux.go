package trace

import (
	"github.com/rawkit/rawkit/icmp/internal/sockaddr"

	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// routeMTU is what the kernel would check a probe toward the
// destination against.
type routeMTU struct {
	// dev is the MTU of the interface the probes leave by: the kernel
	// refuses a header-included packet larger than it (raw(7)), and
	// with DF (traceroute -F, IP_PMTUDISC_PROBE) traceroute's too.
	// MTU discovery starts from it.
	dev int
	// path is the route's MTU (IP_MTU, IPV6_MTU on a connected socket,
	// ip(7), ipv6(7)): the interface's, or less when the route has an
	// mtu or the kernel learned a smaller path MTU. The kernel fragments
	// traceroute's probes (IP_PMTUDISC_DONT) to it; the engine fragments
	// its own to it too.
	path int
}

// routeTo returns the source address the kernel picks toward dst (or
// src, checked to be local), from a connected UDP socket that never
// sends, and with wantMTU the MTUs of the route.
func routeTo(dst, src netip.Addr, iface string, wantMTU bool) (netip.Addr, routeMTU, error) {
	var mtu routeMTU
	fd, err := unix.Socket(sockaddr.Family(dst), unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return src, mtu, opErr("socket", err)
	}
	defer unix.Close(fd)
	if iface != "" {
		if err := unix.BindToDevice(fd, iface); err != nil {
			return src, mtu, fmt.Errorf("icmp: interface %q: %w", iface, opErr("setsockopt", err))
		}
	}
	if src.IsValid() {
		if err := unix.Bind(fd, sockaddr.From(src, 0)); err != nil {
			return src, mtu, fmt.Errorf("icmp: source %v: %w", src, opErr("bind", err))
		}
	}
	if err := unix.Connect(fd, sockaddr.From(dst, 1)); err != nil {
		return src, mtu, fmt.Errorf("icmp: no route to %v: %w", dst, opErr("connect", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return src, mtu, opErr("getsockname", err)
	}
	src, _ = sockaddr.AddrPort(sa)
	if !wantMTU {
		return src, mtu, nil
	}
	level, opt := unix.IPPROTO_IP, unix.IP_MTU
	if dst.Is6() {
		level, opt = unix.IPPROTO_IPV6, unix.IPV6_MTU
	}
	if mtu.path, err = unix.GetsockoptInt(fd, level, opt); err != nil {
		return src, mtu, opErr("getsockopt", err)
	}
	mtu.dev = mtu.path
	if iface != "" {
		if ifi, err := net.InterfaceByName(iface); err == nil && ifi.MTU > 0 {
			mtu.dev = ifi.MTU
		}
	} else if m := deviceMTU(src); m > 0 {
		mtu.dev = m
	}
	return src, mtu, nil
}

// deviceMTU is the MTU of the interface that owns src, 0 if none does.
// MTU discovery starts from it rather than from the kernel's cached path
// MTU (IP_MTU), so that a trace finds every drop again.
func deviceMTU(src netip.Addr) int {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == src.WithZone("") {
					return ifi.MTU
				}
			}
		}
	}
	return 0
}

// reservePort binds a UDP or TCP socket to a free port of src and
// returns the port and the socket, which holds it until closed. The TCP
// socket is bound but never listens, so it accepts nothing, and the
// kernel answers the destination's SYN-ACK with a RST: the probe never
// completes a connection.
func reservePort(m Method, src netip.Addr) (uint16, interface{ Close() error }, error) {
	typ, name := unix.SOCK_DGRAM, "UDP"
	if m == MethodTCP {
		typ, name = unix.SOCK_STREAM, "TCP"
	}
	fd, err := unix.Socket(sockaddr.Family(src), typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("socket", err))
	}
	f := os.NewFile(uintptr(fd), "reserved-port")
	if err := unix.Bind(fd, sockaddr.From(src, 0)); err != nil {
		f.Close()
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("bind", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		f.Close()
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("getsockname", err))
	}
	_, port := sockaddr.AddrPort(sa)
	return port, f, nil
}
