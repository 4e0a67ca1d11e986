package inject

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// Source returns the source address the kernel would use to send to dst,
// through iface when it is not empty. It connects a UDP socket, which
// looks the route up and sends nothing (udp(7), connect(2)), and reads its
// local address; an error means there is no route. An IPv6 dst is looked
// up in the IPv6 routing table, an IPv4 one (or one mapped) in IPv4's.
func Source(dst netip.Addr, iface string) (netip.Addr, error) {
	d := net.Dialer{}
	if iface != "" {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = unix.BindToDevice(int(fd), iface)
			})
			if err != nil {
				return err
			}
			if serr != nil {
				return fmt.Errorf("interface %q: %w", iface, serr)
			}
			return nil
		}
	}
	network := "udp4"
	if dst.Is6() && !dst.Is4In6() {
		network = "udp6"
	}
	c, err := d.DialContext(context.Background(), network, netip.AddrPortFrom(dst, 9).String())
	if err != nil {
		if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
			err = oe.Err
		}
		return netip.Addr{}, err
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, err
	}
	if network == "udp6" {
		return ap.Addr(), nil
	}
	return ap.Addr().Unmap(), nil
}
