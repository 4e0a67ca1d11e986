package raw

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// parseOne6 reads the IPv6 control messages a Conn enables (ipv6(7)):
// in6_pktinfo (the destination and the interface), the hop limit and the
// traffic class, each an int, and the queued error of IPV6_RECVERR.
func parseOne6(typ int32, data []byte, m *Message) {
	switch {
	case typ == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
		// struct in6_pktinfo: ipi6_addr, ipi6_ifindex.
		m.Dst = netip.AddrFrom16([16]byte(data[:16]))
		m.IfIndex = int(int32(binary.NativeEndian.Uint32(data[16:])))
	case typ == unix.IPV6_HOPLIMIT && len(data) >= 4:
		m.TTL = int(int32(binary.NativeEndian.Uint32(data)))
	case typ == unix.IPV6_TCLASS && len(data) >= 4:
		m.TOS = int(int32(binary.NativeEndian.Uint32(data)))
	case typ == unix.IPV6_RECVERR && len(data) >= sizeofExtErr:
		parseExtErr(data, &m.ExtErr)
	}
}

// offender6 reads the sockaddr_in6 of SO_EE_OFFENDER; a scope id becomes
// a numeric zone, which fillErr6 names.
func offender6(sa []byte) netip.Addr {
	a := netip.AddrFrom16([16]byte(sa[8:24]))
	if id := binary.NativeEndian.Uint32(sa[24:28]); id != 0 {
		a = a.WithZone(strconv.FormatUint(uint64(id), 10))
	}
	return a
}

// fill6 sets m from n bytes received into b on an IPv6 socket: the
// payload (no header reaches an IPv6 socket), the sender from the name
// and the rest from the control messages.
func (c *Conn) fill6(m *Message, b []byte, n int, trunc bool, oob []byte, sa *unix.RawSockaddrInet6) {
	*m = Message{Buf: b, TTL: -1, TOS: -1, Truncated: trunc}
	m.Data = b[:min(n, len(b))]
	m.Src = c.addrFrom6(sa)
	parseControl(oob, m)
	if m.Dst.IsLinkLocalUnicast() || m.Dst.IsLinkLocalMulticast() || m.Dst.IsInterfaceLocalMulticast() {
		m.Dst = m.Dst.WithZone(c.zoneName(uint32(m.IfIndex)))
	}
}

// fillErr6 is fillErr for IPv6: the name is the destination of the
// datagram the error is about (ipv6(7)).
func (c *Conn) fillErr6(m *Message, b []byte, n int, trunc bool, oob []byte, sa *unix.RawSockaddrInet6) {
	*m = Message{Buf: b, TTL: -1, TOS: -1, Truncated: trunc}
	m.Data = b[:min(n, len(b))]
	parseControl(oob, m)
	if o := m.ExtErr.Offender; o.Zone() != "" {
		if id, err := strconv.ParseUint(o.Zone(), 10, 32); err == nil {
			m.ExtErr.Offender = o.WithZone(c.zoneName(uint32(id)))
		}
	}
	m.Src, m.Dst = m.ExtErr.Offender, c.addrFrom6(sa)
}
