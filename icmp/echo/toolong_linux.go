package echo

import (
	"github.com/rawkit/rawkit/icmp/internal/sockaddr"

	"github.com/rawkit/rawkit/icmp"

	"errors"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// tooLong wraps a write's EMSGSIZE in a icmp.MessageTooLongError carrying the
// path MTU to dst; other errors pass unchanged.
func (r *rawConn) tooLong(err error, dst netip.Addr) error {
	if err == nil || !errors.Is(err, syscall.EMSGSIZE) {
		return err
	}
	mtu, _ := pathMTU(dst, r.dev, r.src)
	return &icmp.MessageTooLongError{MTU: mtu, Err: err}
}

// pathMTU reads the MTU the kernel uses toward dst: the route's, or the
// smaller one it learned from a "fragmentation needed" or "packet too
// big". A raw socket that is not connected cannot answer IP_MTU
// (ENOTCONN, ip(7)), so a UDP socket is connected to dst for the
// question, on the same interface and source as the run's socket;
// connecting a UDP socket sends nothing.
func pathMTU(dst netip.Addr, dev string, src netip.Addr) (int, error) {
	dst = dst.Unmap()
	family, level, opt := unix.AF_INET, unix.IPPROTO_IP, unix.IP_MTU
	if dst.Is6() {
		family, level, opt = unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_MTU
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if dev != "" {
		if err := unix.BindToDevice(fd, dev); err != nil {
			return 0, err
		}
	}
	if src.IsValid() && src.Unmap().Is6() == dst.Is6() {
		if err := unix.Bind(fd, sockaddr.From(src.Unmap(), 0)); err != nil {
			return 0, err
		}
	}
	if err := unix.Connect(fd, sockaddr.From(dst, 9)); err != nil { // any port: nothing is sent
		return 0, err
	}
	return unix.GetsockoptInt(fd, level, opt)
}
