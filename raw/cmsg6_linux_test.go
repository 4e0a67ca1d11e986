package raw

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseControl6(t *testing.T) {
	dst := netip.MustParseAddr("fd00::1")
	a16 := dst.As16()
	pktinfo := append(a16[:], ne32(3)...) // in6_pktinfo: addr, ifindex
	var oob []byte
	oob = append(oob, cmsg(unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, pktinfo)...)
	oob = append(oob, cmsg(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, ne32(61))...)
	oob = append(oob, cmsg(unix.IPPROTO_IPV6, unix.IPV6_TCLASS, ne32(0xb8))...)
	m := Message{TTL: -1, TOS: -1}
	parseControl(oob, &m)
	if m.Dst != dst || m.IfIndex != 3 || m.TTL != 61 || m.TOS != 0xb8 {
		t.Errorf("got Dst %v IfIndex %d TTL %d TOS %#x", m.Dst, m.IfIndex, m.TTL, m.TOS)
	}
}

func TestParseExtErr6(t *testing.T) {
	ee := make([]byte, sizeofExtErr)
	binary.NativeEndian.PutUint32(ee, uint32(unix.EHOSTUNREACH))
	ee[4], ee[5], ee[6] = unix.SO_EE_ORIGIN_ICMP6, 1, 3 // destination unreachable, address unreachable
	sa := make([]byte, unix.SizeofSockaddrInet6)
	binary.NativeEndian.PutUint16(sa, unix.AF_INET6)
	off := netip.MustParseAddr("fe80::1").As16()
	copy(sa[8:], off[:])
	binary.NativeEndian.PutUint32(sa[24:], 4) // scope id
	m := Message{TTL: -1, TOS: -1}
	parseControl(cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, append(ee, sa...)), &m)
	want := ExtendedError{Origin: ErrOriginICMP6, Errno: unix.EHOSTUNREACH, Type: 1, Code: 3,
		Offender: netip.MustParseAddr("fe80::1%4")}
	if m.ExtErr != want {
		t.Errorf("got %+v, want %+v", m.ExtErr, want)
	}
}

func TestFill6(t *testing.T) {
	c := &Conn{v6: true}
	b := []byte{129, 0, 0, 0, 0, 1, 0, 2, 'x'}
	sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: netip.MustParseAddr("fd00::2").As16()}
	var m Message
	c.fill6(&m, b, len(b), false, cmsg(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, ne32(64)), &sa)
	if m.Header != nil || len(m.Data) != len(b) || m.Src != netip.MustParseAddr("fd00::2") || m.TTL != 64 || m.TOS != -1 {
		t.Errorf("got %+v", m)
	}
}
