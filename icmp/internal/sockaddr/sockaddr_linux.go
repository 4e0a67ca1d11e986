package sockaddr

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Family is the address family of a: AF_INET6 or AF_INET.
func Family(a netip.Addr) int {
	if a.Is6() {
		return unix.AF_INET6
	}
	return unix.AF_INET
}

// From is a and port as the kernel takes them; an IPv6 zone becomes
// the scope id, the index of the interface it names.
func From(a netip.Addr, port int) unix.Sockaddr {
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

// AddrPort reads an address and port back from the kernel; a scope id
// becomes the zone, by name.
func AddrPort(sa unix.Sockaddr) (netip.Addr, uint16) {
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
