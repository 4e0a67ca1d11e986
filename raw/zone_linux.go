package raw

import (
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// zoneName returns the name of the interface with index idx in the
// socket's namespace: the ioctl is made on the socket itself, so it
// answers for the namespace the socket lives in, whichever thread reads
// (netdevice(7), SIOCGIFNAME). An index without a name is given as a
// number, which net and netip accept as a zone too.
func (c *Conn) zoneName(idx uint32) string {
	if idx == 0 {
		return ""
	}
	if s, ok := c.zones.name(idx); ok {
		return s
	}
	var name string
	_ = c.rc.Control(func(fd uintptr) {
		ifr := &unix.Ifreq{}
		ifr.SetUint32(idx)
		if unix.IoctlIfreq(int(fd), unix.SIOCGIFNAME, ifr) == nil {
			name = ifr.Name()
		}
	})
	if name == "" {
		return strconv.FormatUint(uint64(idx), 10)
	}
	c.zones.add(idx, name)
	return name
}

// scopeID returns the interface index that a's zone names: an interface
// name of the socket's namespace (SIOCGIFINDEX) or a number. No zone is
// scope id 0. An unknown name is bad input.
func (c *Conn) scopeID(a netip.Addr) (uint32, error) {
	z := a.Zone()
	if z == "" {
		return 0, nil
	}
	if i, ok := c.zones.index(z); ok {
		return i, nil
	}
	if n, err := strconv.ParseUint(z, 10, 32); err == nil {
		return uint32(n), nil
	}
	var idx uint32
	if len(z) <= maxIfNameLen {
		_ = c.rc.Control(func(fd uintptr) {
			ifr, err := unix.NewIfreq(z)
			if err == nil && unix.IoctlIfreq(int(fd), unix.SIOCGIFINDEX, ifr) == nil {
				idx = ifr.Uint32()
			}
		})
	}
	if idx == 0 {
		return 0, inputErrorf("unknown zone %q in address %s: no such interface", z, a)
	}
	c.zones.add(idx, z)
	return idx, nil
}

// sockaddr6 is the sockaddr_in6 for dst, its zone as the scope id
// (ipv6(7)).
func (c *Conn) sockaddr6(dst netip.Addr) (unix.RawSockaddrInet6, error) {
	id, err := c.scopeID(dst)
	if err != nil {
		return unix.RawSockaddrInet6{}, err
	}
	return unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: dst.As16(), Scope_id: id}, nil
}

// addrFrom6 turns a sockaddr_in6 the kernel wrote into an address, with
// its zone when the kernel gave a scope id (link-local and multicast).
func (c *Conn) addrFrom6(sa *unix.RawSockaddrInet6) netip.Addr {
	a := netip.AddrFrom16(sa.Addr)
	if sa.Scope_id != 0 {
		a = a.WithZone(c.zoneName(sa.Scope_id))
	}
	return a
}
