package raw

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cmsg lays out one control message the way the kernel does (cmsg(3)).
func cmsg(level, typ int, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	if unix.SizeofCmsghdr == 16 {
		binary.NativeEndian.PutUint64(b, uint64(unix.CmsgLen(len(data))))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(unix.CmsgLen(len(data))))
	}
	binary.NativeEndian.PutUint32(b[unix.SizeofCmsghdr-8:], uint32(level))
	binary.NativeEndian.PutUint32(b[unix.SizeofCmsghdr-4:], uint32(typ))
	copy(b[unix.SizeofCmsghdr:], data)
	return b
}

func ne32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func TestParseControl(t *testing.T) {
	ts := binary.NativeEndian.AppendUint64(nil, 1700000000)
	ts = binary.NativeEndian.AppendUint64(ts, 123456789)
	pktinfo := append(ne32(7), 127, 0, 0, 9, 10, 1, 2, 3) // ifindex, spec_dst, addr
	var oob []byte
	oob = append(oob, cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, ts)...)
	oob = append(oob, cmsg(unix.IPPROTO_IP, unix.IP_PKTINFO, pktinfo)...)
	oob = append(oob, cmsg(unix.IPPROTO_IP, unix.IP_TTL, ne32(61))...)
	oob = append(oob, cmsg(unix.IPPROTO_IP, unix.IP_TOS, []byte{0xb8})...)
	oob = append(oob, cmsg(unix.IPPROTO_IPV6, 99, []byte{1, 2, 3})...) // unknown: ignored

	m := Message{TTL: -1, TOS: -1}
	parseControl(oob, &m)
	if want := time.Unix(1700000000, 123456789); !m.Received.Equal(want) {
		t.Errorf("Received = %v, want %v", m.Received, want)
	}
	if m.IfIndex != 7 || m.Dst != netip.MustParseAddr("10.1.2.3") || m.TTL != 61 || m.TOS != 0xb8 {
		t.Errorf("got IfIndex %d Dst %v TTL %d TOS %#x; want 7 10.1.2.3 61 0xb8", m.IfIndex, m.Dst, m.TTL, m.TOS)
	}
	if n := testing.AllocsPerRun(100, func() { parseControl(oob, &m) }); n != 0 {
		t.Errorf("parseControl allocates %v times", n)
	}
}

func TestParseControlMalformed(t *testing.T) {
	good := cmsg(unix.IPPROTO_IP, unix.IP_TTL, ne32(5))
	bad := [][]byte{
		nil,
		good[:unix.SizeofCmsghdr-1],             // short header
		good[:unix.CmsgLen(4)-1],                // length beyond buffer
		cmsg(unix.IPPROTO_IP, unix.IP_TTL, nil), // no data
		cmsg(unix.IPPROTO_IP, unix.IP_PKTINFO, []byte{1, 2, 3}),
		cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, []byte{1, 2, 3}),
	}
	for i, oob := range bad {
		m := Message{TTL: -1, TOS: -1}
		parseControl(oob, &m)
		if m.TTL != -1 || m.IfIndex != 0 || !m.Received.IsZero() || m.Dst.IsValid() {
			t.Errorf("case %d: malformed control data changed the message: %+v", i, m)
		}
	}
	// A length field below the header size must not loop forever.
	zero := make([]byte, 64)
	parseControl(zero, &Message{})
}

func FuzzParseControl(f *testing.F) {
	f.Add(cmsg(unix.IPPROTO_IP, unix.IP_TTL, ne32(5)))
	f.Add(append(cmsg(unix.IPPROTO_IP, unix.IP_PKTINFO, make([]byte, 12)), cmsg(unix.IPPROTO_IP, unix.IP_TOS, []byte{1})...))
	f.Fuzz(func(t *testing.T, oob []byte) {
		var m Message
		parseControl(oob, &m)
	})
}

func TestParseControlExtendedError(t *testing.T) {
	// struct sock_extended_err: errno, origin, type, code, pad, info,
	// data; then the offender's sockaddr_in (ip(7)).
	ee := ne32(uint32(unix.EHOSTUNREACH))
	ee = append(ee, 2, 3, 1, 0)
	ee = append(ee, ne32(1400)...)
	ee = append(ee, ne32(0)...)
	sa := binary.NativeEndian.AppendUint16(nil, unix.AF_INET)
	sa = append(sa, 0, 0, 10, 0, 3, 1)
	sa = append(sa, make([]byte, 8)...)
	oob := cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, append(ee, sa...))
	oob = append(oob, cmsg(unix.IPPROTO_IP, unix.IP_TTL, ne32(63))...)

	m := Message{TTL: -1, TOS: -1}
	parseControl(oob, &m)
	want := ExtendedError{Origin: ErrOriginICMP, Errno: unix.EHOSTUNREACH, Type: 3, Code: 1, Info: 1400,
		Offender: netip.MustParseAddr("10.0.3.1")}
	if m.ExtErr != want || m.TTL != 63 {
		t.Errorf("ExtErr = %+v TTL %d, want %+v TTL 63", m.ExtErr, m.TTL, want)
	}
	// No offender (AF_UNSPEC), as for local errors.
	clear(sa[:2])
	m = Message{}
	parseControl(cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, append(ee, sa...)), &m)
	if m.ExtErr.Offender.IsValid() || m.ExtErr.Type != 3 {
		t.Errorf("without offender: %+v", m.ExtErr)
	}
	// Too short for the struct: ignored.
	m = Message{}
	parseControl(cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, ee[:12]), &m)
	if m.ExtErr != (ExtendedError{}) {
		t.Errorf("short extended error parsed: %+v", m.ExtErr)
	}
}
