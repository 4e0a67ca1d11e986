package inject

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

// header28 is an IPv4 echo request of 28 bytes, 10.0.0.1 > 10.0.0.2,
// ID 1, with every header field as Linux would write it.
func header28() []byte {
	b := []byte{
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
	}
	binary.BigEndian.PutUint16(b[10:], headerSum(b[:20]))
	return b
}

func TestKernelRewrites(t *testing.T) {
	if got := binary.BigEndian.Uint16(header28()[10:]); got != 0x66de {
		t.Fatalf("header checksum %#04x, want 0x66de", got) // as Linux computed it on the wire
	}
	for _, c := range []struct {
		name string
		edit func(b []byte) []byte
		want bool
	}{
		{"as the kernel writes it", func(b []byte) []byte { return b }, false},
		{"lying length", func(b []byte) []byte { b[3] = 20; return b }, true},
		{"longer length", func(b []byte) []byte { b[2] = 1; return b }, true},
		{"wrong checksum", func(b []byte) []byte { b[10], b[11] = 0xde, 0xad; return b }, true},
		{"ID 0", func(b []byte) []byte { b[4], b[5] = 0, 0; return b }, true},
		{"source 0.0.0.0", func(b []byte) []byte { copy(b[12:16], []byte{0, 0, 0, 0}); return b }, true},
		{"IHL beyond the packet", func(b []byte) []byte { b[0] = 0x4f; return b }, true},
		{"IHL below 5: left alone", func(b []byte) []byte { b[0], b[3] = 0x44, 99; return b }, false},
		{"shorter than a header", func(b []byte) []byte { return b[:19] }, false},
		{"wrong transport checksum only", func(b []byte) []byte { b[22] = 0; return b }, false},
	} {
		if got := kernelRewrites(c.edit(header28())); got != c.want {
			t.Errorf("%s: kernelRewrites = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestARPRequestAndReply(t *testing.T) {
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	src, target := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	req := arpRequestFor(hw, src, target)
	want := []byte{0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2}
	if !bytes.Equal(req, want) {
		t.Fatalf("request % x\nwant    % x", req, want)
	}
	if _, ok := arpReplyFrom(req, target); ok {
		t.Error("a request taken for a reply")
	}
	// The reply: sender is target with its MAC, target is the asker.
	rep := append([]byte{0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 2, 10, 0, 0, 2}, req[8:18]...)
	got, ok := arpReplyFrom(rep, target)
	if !ok || got.String() != "02:00:00:00:00:02" {
		t.Errorf("reply gives %v, %v; want 02:00:00:00:00:02", got, ok)
	}
	if _, ok := arpReplyFrom(rep, src); ok {
		t.Error("a reply from 10.0.0.2 taken for one from 10.0.0.1")
	}
	if _, ok := arpReplyFrom(rep[:27], target); ok {
		t.Error("a truncated reply accepted")
	}
}

func TestFixedLinkAddr(t *testing.T) {
	up := net.FlagUp | net.FlagBroadcast | net.FlagMulticast
	for _, c := range []struct {
		name  string
		rtype uint8
		flags net.Flags
		hwLen int
		dst   string
		want  string
		ok    bool
	}{
		{"loopback", rtnLocal, net.FlagUp | net.FlagLoopback, 6, "127.0.0.1", "00:00:00:00:00:00", true},
		{"point-to-point", 1, net.FlagUp | net.FlagPointToPoint, 0, "10.9.0.1", "", true},
		{"no hardware address", 1, net.FlagUp, 0, "10.9.0.1", "", true},
		{"broadcast route", rtnBroadcast, up, 6, "10.0.0.255", "ff:ff:ff:ff:ff:ff", true},
		{"limited broadcast", 1, up, 6, "255.255.255.255", "ff:ff:ff:ff:ff:ff", true},
		{"multicast", rtnMulticast, up, 6, "239.129.2.3", "01:00:5e:01:02:03", true},
		{"unicast neighbour", 1, up, 6, "10.0.0.2", "", false},
	} {
		got, ok := fixedLinkAddr(c.rtype, c.flags, c.hwLen, netip.MustParseAddr(c.dst))
		if ok != c.ok || got.String() != c.want {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
