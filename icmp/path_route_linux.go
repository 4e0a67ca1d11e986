package icmp

import (
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// routeTo returns the source address the kernel picks toward dst (or
// src, checked to be local), from a connected UDP socket that never
// sends, and with wantMTU the MTU to start MTU discovery from.
func routeTo(dst, src netip.Addr, iface string, wantMTU bool) (netip.Addr, int, error) {
	fd, err := unix.Socket(family(dst), unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return src, 0, opErr("socket", err)
	}
	defer unix.Close(fd)
	if iface != "" {
		if err := unix.BindToDevice(fd, iface); err != nil {
			return src, 0, fmt.Errorf("icmp: interface %q: %w", iface, opErr("setsockopt", err))
		}
	}
	if src.IsValid() {
		if err := unix.Bind(fd, sockaddr(src, 0)); err != nil {
			return src, 0, fmt.Errorf("icmp: source %v: %w", src, opErr("bind", err))
		}
	}
	if err := unix.Connect(fd, sockaddr(dst, 1)); err != nil {
		return src, 0, fmt.Errorf("icmp: no route to %v: %w", dst, opErr("connect", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return src, 0, opErr("getsockname", err)
	}
	src, _ = addrPort(sa)
	if !wantMTU {
		return src, 0, nil
	}
	if mtu := deviceMTU(src); mtu > 0 {
		return src, mtu, nil
	}
	level, opt := unix.IPPROTO_IP, unix.IP_MTU
	if dst.Is6() {
		level, opt = unix.IPPROTO_IPV6, unix.IPV6_MTU
	}
	mtu, err := unix.GetsockoptInt(fd, level, opt)
	if err != nil {
		return src, 0, opErr("getsockopt", err)
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
	fd, err := unix.Socket(family(src), typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("socket", err))
	}
	f := os.NewFile(uintptr(fd), "reserved-port")
	if err := unix.Bind(fd, sockaddr(src, 0)); err != nil {
		f.Close()
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("bind", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		f.Close()
		return 0, nil, fmt.Errorf("icmp: reserve a %s port: %w", name, opErr("getsockname", err))
	}
	_, port := addrPort(sa)
	return port, f, nil
}

func family(a netip.Addr) int {
	if a.Is6() {
		return unix.AF_INET6
	}
	return unix.AF_INET
}

// sockaddr is a and port as the kernel takes them; an IPv6 zone becomes
// the scope id, the index of the interface it names.
func sockaddr(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: a.As16()}
	if z := a.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return sa
}

// addrPort reads an address and port back from the kernel; a scope id
// becomes the zone, by name.
func addrPort(sa unix.Sockaddr) (netip.Addr, uint16) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr), uint16(sa.Port)
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				a = a.WithZone(ifi.Name)
			}
		}
		return a, uint16(sa.Port)
	}
	return netip.Addr{}, 0
}
