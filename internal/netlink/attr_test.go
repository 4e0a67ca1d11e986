package netlink

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	var b []byte
	b = AppendAttr(b, 1, []byte{1, 2, 3})
	b = AppendAttr(b, 2|0x8000, nil) // NLA_F_NESTED set
	b = AppendAttr(b, 3, []byte{9, 9, 9, 9})
	if len(b) != 8+4+8 {
		t.Fatalf("encoded %d bytes, want 20 (padded to 4)", len(b))
	}
	type attr struct {
		typ  uint16
		data []byte
	}
	var got []attr
	for typ, data := range Attrs(b) {
		got = append(got, attr{typ, data})
	}
	want := []attr{{1, []byte{1, 2, 3}}, {2, []byte{}}, {3, []byte{9, 9, 9, 9}}}
	if len(got) != len(want) {
		t.Fatalf("walked %d attributes, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].typ != want[i].typ || !bytes.Equal(got[i].data, want[i].data) {
			t.Errorf("attribute %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// A length shorter than the header or past the end stops the walk there,
// after the whole attributes before it.
func TestCorrupt(t *testing.T) {
	t.Parallel()
	good := AppendAttr(nil, 7, []byte{1, 2, 3, 4})
	hdr := func(l, typ uint16) []byte {
		return binary.NativeEndian.AppendUint16(binary.NativeEndian.AppendUint16(nil, l), typ)
	}
	for _, bad := range [][]byte{
		hdr(2, 1),              // length shorter than the header
		append(hdr(200, 1), 5), // length past the end
		hdr(8, 1)[:3],          // truncated header
	} {
		n := 0
		for typ := range Attrs(append(append([]byte{}, good...), bad...)) {
			if typ != 7 {
				t.Errorf("walked into corrupt attribute %v: type %d", bad, typ)
			}
			n++
		}
		if n != 1 {
			t.Errorf("after %v: %d attributes, want 1", bad, n)
		}
	}
}

func FuzzAttrs(f *testing.F) {
	f.Add(AppendAttr(AppendAttr(nil, 1, []byte("x")), 2, []byte("yz")))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		for _, data := range Attrs(b) {
			n += 4 + len(data)
		}
		if n > len(b) {
			t.Fatalf("attributes cover %d bytes of %d", n, len(b))
		}
	})
}
