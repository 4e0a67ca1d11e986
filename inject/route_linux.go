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
// local address; an error means there is no route.
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
	c, err := d.DialContext(context.Background(), "udp4", netip.AddrPortFrom(dst, 9).String())
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
	return ap.Addr().Unmap(), nil
}
