package inject

import (
	"bytes"
	"testing"
)

func TestRouteAttrs(t *testing.T) {
	b := appendAttr(nil, 1, []byte{10, 0, 0, 2})
	b = appendAttr(b, 0x8000|4, []byte{7}) // a flag bit set, padded to 4 bytes
	b = appendAttr(b, 5, nil)
	if len(b) != 8+8+4 {
		t.Fatalf("attributes % x: %d bytes, want 20", b, len(b))
	}
	m := parseAttrs(b)
	if !bytes.Equal(m[1], []byte{10, 0, 0, 2}) || !bytes.Equal(m[4], []byte{7}) || m[5] == nil || len(m[5]) != 0 || len(m) != 3 {
		t.Errorf("parsed %v", m)
	}
	if m := parseAttrs(b[:6]); len(m) != 0 { // truncated: nothing read past the end
		t.Errorf("truncated attributes parsed as %v", m)
	}
}
