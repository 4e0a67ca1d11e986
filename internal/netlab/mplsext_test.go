package netlab

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

var testLabels = []xicmp.MPLSLabel{{Label: 100, TC: 0, S: false, TTL: 1}, {Label: 0xfffff, TC: 5, S: true, TTL: 255}}

// timeExceeded4 is a router's IPv4 time exceeded quoting a quote-byte
// datagram, and the same message as x/net/icmp marshals it with the
// label stack: the reference the rewrite must equal.
func timeExceeded4(t *testing.T, quote int, exts []xicmp.Extension) []byte {
	t.Helper()
	data := bytes.Repeat([]byte{0x45, 0xab, 0xcd}, quote/3+1)[:quote]
	m, err := (&xicmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &xicmp.TimeExceeded{Data: data, Extensions: exts}}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 64, 1
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(m)))
	copy(h[12:], []byte{10, 0, 2, 2, 10, 0, 1, 1})
	binary.BigEndian.PutUint16(h[10:], checksum(h, 0))
	return append(h, m...)
}

func timeExceeded6(t *testing.T, quote int, exts []xicmp.Extension) []byte {
	t.Helper()
	src, dst := net.ParseIP("fd00:0:0:2::2"), net.ParseIP("fd00:0:0:1::1")
	data := bytes.Repeat([]byte{0x60, 0xab, 0xcd}, quote/3+1)[:quote]
	m, err := (&xicmp.Message{Type: ipv6.ICMPTypeTimeExceeded, Body: &xicmp.TimeExceeded{Data: data, Extensions: exts}}).
		Marshal(xicmp.IPv6PseudoHeader(src, dst))
	if err != nil {
		t.Fatal(err)
	}
	h := make([]byte, 40)
	h[0], h[6], h[7] = 0x60, 58, 64
	binary.BigEndian.PutUint16(h[4:], uint16(len(m)))
	copy(h[8:], src)
	copy(h[24:], dst)
	return append(h, m...)
}

// TestAddMPLSExtension rewrites time exceeded messages of both families,
// quoting less and more than 128 bytes, and compares the result with
// x/net/icmp's RFC 4884 marshalling of the same message, byte for byte,
// checksums included; the label stack parses back.
func TestAddMPLSExtension(t *testing.T) {
	stack := []xicmp.Extension{&xicmp.MPLSLabelStack{Class: 1, Type: 1, Labels: testLabels}}
	for _, c := range []struct {
		name  string
		build func(*testing.T, int, []xicmp.Extension) []byte
		proto int
	}{{"ipv4", timeExceeded4, 1}, {"ipv6", timeExceeded6, 58}} {
		for _, quote := range []int{60, 80, 128, 548} {
			got, err := AddMPLSExtension([]byte("x"), c.build(t, quote, nil), testLabels)
			if err != nil {
				t.Fatalf("%s quote %d: %v", c.name, quote, err)
			}
			if got[0] != 'x' {
				t.Fatalf("%s: not appended to dst", c.name)
			}
			got = got[1:]
			want := c.build(t, min(quote, 128), stack)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s quote %d:\n got %x\nwant %x", c.name, quote, got, want)
			}
			hlen := 20
			if c.proto == 58 {
				hlen = 40
			}
			m, err := xicmp.ParseMessage(c.proto, got[hlen:])
			if err != nil {
				t.Fatal(err)
			}
			te := m.Body.(*xicmp.TimeExceeded)
			st, ok := te.Extensions[0].(*xicmp.MPLSLabelStack)
			if len(te.Extensions) != 1 || !ok || len(st.Labels) != 2 || st.Labels[1] != testLabels[1] || st.Labels[0] != testLabels[0] {
				t.Errorf("%s: extensions %+v", c.name, te.Extensions)
			}
		}
	}
}

func TestAddMPLSExtensionRefuses(t *testing.T) {
	v4 := timeExceeded4(t, 60, nil)
	echo := append([]byte(nil), v4...)
	echo[20] = 8
	v6ext := timeExceeded6(t, 60, nil)
	v6ext[6] = 0 // hop-by-hop options first
	for name, pkt := range map[string][]byte{
		"echo request":  echo,
		"extended":      timeExceeded4(t, 60, []xicmp.Extension{&xicmp.MPLSLabelStack{Class: 1, Type: 1, Labels: testLabels}}),
		"ipv6 ext hdrs": v6ext,
		"short":         v4[:27],
		"version 5":     append([]byte{0x55}, v4[1:]...),
		"empty":         nil,
	} {
		if _, err := AddMPLSExtension(nil, pkt, testLabels); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := AddMPLSExtension(nil, v4, nil); err == nil {
		t.Error("no labels: no error")
	}
}
