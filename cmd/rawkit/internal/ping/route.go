package ping

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// checkRoute is iputils' connect probe: connecting a UDP socket makes the
// kernel look the route up and pick a source, and sends nothing (udp(7):
// connect sets the default destination). Its error reads as iputils
// prints it, strerror's "Network is unreachable".
func checkRoute(dst, src netip.Addr) error {
	d := net.Dialer{}
	if src.IsValid() {
		d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	}
	c, err := d.Dial("udp", netip.AddrPortFrom(dst, 1025).String())
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			s := errno.Error()
			return errors.New(strings.ToUpper(s[:1]) + s[1:])
		}
		return err
	}
	return c.Close()
}
