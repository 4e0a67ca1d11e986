package raw

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// extErr is a struct sock_extended_err and an empty offender address.
func extErr(errno unix.Errno, origin uint8, key uint32) []byte {
	b := make([]byte, sizeofExtErr+unix.SizeofSockaddrInet6)
	binary.NativeEndian.PutUint32(b, uint32(errno))
	b[4] = origin
	binary.NativeEndian.PutUint32(b[12:], key)
	return b
}

// timestamping is a struct scm_timestamping64 whose software time is
// sec, nsec.
func timestamping(sec, nsec int64) []byte {
	b := make([]byte, 48) // three struct __kernel_timespec
	binary.NativeEndian.PutUint64(b, uint64(sec))
	binary.NativeEndian.PutUint64(b[8:], uint64(nsec))
	return b
}

func join(ms ...[]byte) []byte {
	var b []byte
	for _, m := range ms {
		b = append(b, m...)
	}
	return b
}

func TestParseSendStamp(t *testing.T) {
	at := time.Unix(1795000000, 123456789)
	ts := timestamping(at.Unix(), int64(at.Nanosecond()))
	stamp := extErr(unix.ENOMSG, unix.SO_EE_ORIGIN_TIMESTAMPING, 42)
	for _, c := range []struct {
		name string
		oob  []byte
		ok   bool
	}{
		{"ipv4", join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, stamp)), true},
		{"ipv6, error first", join(cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, stamp), cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts)), true},
		{"old layout", join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_OLD, ts), cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, stamp)), true},
		{"icmp error, not a stamp", join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts),
			cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.EHOSTUNREACH, unix.SO_EE_ORIGIN_ICMP, 42))), false},
		{"no time", cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, stamp), false},
		{"zero time", join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, timestamping(0, 0)), cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, stamp)), false},
		{"no key", cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), false},
		{"truncated", join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, ts), cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, stamp))[:100], false},
		{"empty", nil, false},
	} {
		s, ok := parseSendStamp(c.oob)
		if ok != c.ok || (ok && (s.Key != 42 || !s.Time.Equal(at))) {
			t.Errorf("%s: %+v ok %v, want key 42 at %v ok %v", c.name, s, ok, at, c.ok)
		}
	}
}

// TestParseSendStampAllocs holds the stamp path to no allocation.
func TestParseSendStampAllocs(t *testing.T) {
	oob := join(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING_NEW, timestamping(1, 2)),
		cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.ENOMSG, unix.SO_EE_ORIGIN_TIMESTAMPING, 7)))
	if n := testing.AllocsPerRun(100, func() { parseSendStamp(oob) }); n != 0 {
		t.Errorf("parseSendStamp: %v allocations", n)
	}
	var m Message
	if n := testing.AllocsPerRun(100, func() { parseControl(oob, &m) }); n != 0 {
		t.Errorf("parseControl: %v allocations", n)
	}
}
