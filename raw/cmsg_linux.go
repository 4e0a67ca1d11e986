package raw

import (
	"encoding/binary"
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Control messages are parsed by hand rather than with
// ipv4.ControlMessage.Parse, which allocates, and because x/net does not
// know SO_TIMESTAMPNS. Layout per cmsg(3): a header of SizeofCmsghdr
// bytes (length, level, type), data, padding to the pointer size.

const (
	alignTo = int(unsafe.Sizeof(uintptr(0)))
	// oobSize fits every control message a Conn enables: timestamp (16),
	// in_pktinfo (12), TTL (4), TOS (1) and, from the error queue,
	// sock_extended_err with the offender's address (32), each with
	// header and padding; on IPv6 in6_pktinfo (20), hop limit (4),
	// traffic class (4) and the error with a sockaddr_in6 (44).
	oobSize = 256
)

// sizeofExtErr is the size of struct sock_extended_err (unix.SockExtendedErr).
const sizeofExtErr = int(unsafe.Sizeof(unix.SockExtendedErr{}))

func cmsgAlign(n int) int { return (n + alignTo - 1) &^ (alignTo - 1) }

// parseControl fills m.Dst, m.IfIndex, m.TTL, m.TOS and m.Received from
// the control messages in oob; fields with no message are left as they
// are. It never allocates and ignores what it does not know, including a
// truncated trailing message.
func parseControl(oob []byte, m *Message) {
	walkControl(oob, func(level, typ int32, data []byte) { parseOne(level, typ, data, m) })
}

// walkControl calls fn with each whole control message in oob (cmsg(3)),
// in order, and stops at a truncated one.
func walkControl(oob []byte, fn func(level, typ int32, data []byte)) {
	hdr := unix.SizeofCmsghdr
	for len(oob) >= hdr {
		var l int
		if hdr == 16 {
			l = int(binary.NativeEndian.Uint64(oob))
		} else {
			l = int(binary.NativeEndian.Uint32(oob))
		}
		if l < hdr || l > len(oob) {
			return
		}
		level := int32(binary.NativeEndian.Uint32(oob[hdr-8:]))
		typ := int32(binary.NativeEndian.Uint32(oob[hdr-4:]))
		fn(level, typ, oob[hdr:l])
		next := cmsgAlign(l)
		if next >= len(oob) {
			return
		}
		oob = oob[next:]
	}
}

func parseOne(level, typ int32, data []byte, m *Message) {
	switch {
	case level == unix.SOL_SOCKET && typ == unix.SO_TIMESTAMPNS:
		// struct timespec in the kernel's native long size.
		switch len(data) {
		case 16:
			sec := int64(binary.NativeEndian.Uint64(data))
			nsec := int64(binary.NativeEndian.Uint64(data[8:]))
			m.Received = time.Unix(sec, nsec)
		case 8:
			sec := int32(binary.NativeEndian.Uint32(data))
			nsec := int32(binary.NativeEndian.Uint32(data[4:]))
			m.Received = time.Unix(int64(sec), int64(nsec))
		}
	case level == unix.SOL_SOCKET && typ == unix.SO_TIMESTAMPNS_NEW && len(data) >= 16:
		// struct __kernel_timespec: what SO_TIMESTAMPNS gives once
		// SO_TIMESTAMPING_NEW is set too (Config.SendStamps), as the
		// kernel then marks the socket for 64-bit times (socket(7)).
		m.Received = time.Unix(int64(binary.NativeEndian.Uint64(data)), int64(binary.NativeEndian.Uint64(data[8:])))
	case level == unix.SOL_SOCKET && (typ == unix.SO_TIMESTAMPING_NEW || typ == unix.SO_TIMESTAMPING_OLD):
		// A send stamp from the error queue (Config.SendStamps).
		if s, ok := parseStampTime(typ, data); ok {
			m.ExtErr.Stamp = s
		}
	case level == unix.SOL_SOCKET && typ == unix.SO_RXQ_OVFL && len(data) >= 4:
		m.Drops = binary.NativeEndian.Uint32(data)
	case level == unix.IPPROTO_IP && typ == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
		// struct in_pktinfo: ifindex, spec_dst, addr (the header's
		// destination), ip(7).
		m.IfIndex = int(int32(binary.NativeEndian.Uint32(data)))
		m.Dst = netip.AddrFrom4([4]byte(data[8:12]))
	case level == unix.IPPROTO_IP && typ == unix.IP_TTL && len(data) >= 4:
		m.TTL = int(int32(binary.NativeEndian.Uint32(data)))
	case level == unix.IPPROTO_IP && typ == unix.IP_TOS && len(data) >= 1:
		m.TOS = int(data[0])
	case level == unix.IPPROTO_IP && typ == unix.IP_RECVERR && len(data) >= sizeofExtErr:
		parseExtErr(data, &m.ExtErr)
	case level == unix.IPPROTO_IPV6:
		parseOne6(typ, data, m)
	}
}

// parseExtErr reads a struct sock_extended_err and the sockaddr_in of the
// offender that follows it (SO_EE_OFFENDER, ip(7)).
func parseExtErr(data []byte, e *ExtendedError) {
	*e = ExtendedError{
		Errno:  unix.Errno(binary.NativeEndian.Uint32(data)),
		Origin: ErrOrigin(data[4]),
		Type:   int(data[5]),
		Code:   int(data[6]),
		Info:   binary.NativeEndian.Uint32(data[8:]),
		Key:    binary.NativeEndian.Uint32(data[12:]),
		Stamp:  e.Stamp, // SCM_TIMESTAMPING comes first
	}
	sa := data[sizeofExtErr:]
	switch {
	case len(sa) >= unix.SizeofSockaddrInet4 && binary.NativeEndian.Uint16(sa) == unix.AF_INET:
		e.Offender = netip.AddrFrom4([4]byte(sa[4:8]))
	case len(sa) >= unix.SizeofSockaddrInet6 && binary.NativeEndian.Uint16(sa) == unix.AF_INET6:
		e.Offender = offender6(sa)
	}
}
