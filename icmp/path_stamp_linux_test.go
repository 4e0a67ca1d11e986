package icmp

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cmsg appends one control message (cmsg(3)) to b.
func cmsg(b []byte, level, typ int, data []byte) []byte {
	h := make([]byte, unix.CmsgSpace(len(data)))
	if unix.SizeofCmsghdr == 16 {
		binary.NativeEndian.PutUint64(h, uint64(unix.CmsgLen(len(data))))
	} else {
		binary.NativeEndian.PutUint32(h, uint32(unix.CmsgLen(len(data))))
	}
	binary.NativeEndian.PutUint32(h[unix.SizeofCmsghdr-8:], uint32(level))
	binary.NativeEndian.PutUint32(h[unix.SizeofCmsghdr-4:], uint32(typ))
	copy(h[unix.SizeofCmsghdr:], data)
	return append(b, h...)
}

// extErr is a struct sock_extended_err and an empty offender address.
func extErr(errno unix.Errno, origin uint8, key uint32) []byte {
	b := make([]byte, sizeofExtErr+unix.SizeofSockaddrInet6)
	binary.NativeEndian.PutUint32(b, uint32(errno))
	b[4] = origin
	binary.NativeEndian.PutUint32(b[12:], key)
	return b
}

func timestamping(sec, nsec int64) []byte {
	b := make([]byte, 48) // three struct __kernel_timespec
	binary.NativeEndian.PutUint64(b, uint64(sec))
	binary.NativeEndian.PutUint64(b[8:], uint64(nsec))
	return b
}

func TestParseStamp(t *testing.T) {
	at := time.Unix(1795000000, 123456789)
	ts := timestamping(at.Unix(), int64(at.Nanosecond()))
	stamp := extErr(unix.ENOMSG, unix.SO_EE_ORIGIN_TIMESTAMPING, 42)
	for _, c := range []struct {
		name string
		oob  []byte
		key  uint32
		ok   bool
	}{
		{"ipv4", cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), unix.IPPROTO_IP, unix.IP_RECVERR, stamp), 42, true},
		{"ipv6, error first", cmsg(cmsg(nil, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, stamp), unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), 42, true},
		{"old layout", cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_OLD, ts), unix.IPPROTO_IP, unix.IP_RECVERR, stamp), 42, true},
		{"icmp error, not a stamp", cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), unix.IPPROTO_IP, unix.IP_RECVERR,
			extErr(unix.EHOSTUNREACH, unix.SO_EE_ORIGIN_ICMP, 42)), 0, false},
		{"no time", cmsg(nil, unix.IPPROTO_IP, unix.IP_RECVERR, stamp), 0, false},
		{"zero time", cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, timestamping(0, 0)), unix.IPPROTO_IP, unix.IP_RECVERR, stamp), 0, false},
		{"no key", cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), 0, false},
		{"truncated", cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), unix.IPPROTO_IP, unix.IP_RECVERR, stamp)[:100], 0, false},
		{"empty", nil, 0, false},
	} {
		key, got, ok := parseStamp(c.oob)
		if ok != c.ok || (ok && (key != c.key || !got.Equal(at))) {
			t.Errorf("%s: key %d at %v ok %v, want %d at %v ok %v", c.name, key, got, ok, c.key, at, c.ok)
		}
	}
}

// TestParseStampAllocs holds the stamp path to no allocation.
func TestParseStampAllocs(t *testing.T) {
	oob := cmsg(cmsg(nil, unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, timestamping(1, 2)), unix.IPPROTO_IP, unix.IP_RECVERR,
		extErr(unix.ENOMSG, unix.SO_EE_ORIGIN_TIMESTAMPING, 7))
	if n := testing.AllocsPerRun(100, func() { parseStamp(oob) }); n != 0 {
		t.Errorf("parseStamp: %v allocations", n)
	}
}
