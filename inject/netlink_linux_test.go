package inject

import (
	"bytes"
	"maps"
	"testing"

	"github.com/rawkit/rawkit/internal/netlink"
)

// The route lookups index the attributes of an answer by type with
// maps.Collect over netlink.Attrs: the type without its flag bits, an
// empty payload present, nothing read past the end.
func TestRouteAttrs(t *testing.T) {
	b := netlink.AppendAttr(nil, 1, []byte{10, 0, 0, 2})
	b = netlink.AppendAttr(b, 0x8000|4, []byte{7}) // a flag bit set, padded to 4 bytes
	b = netlink.AppendAttr(b, 5, nil)
	if len(b) != 8+8+4 {
		t.Fatalf("attributes % x: %d bytes, want 20", b, len(b))
	}
	m := maps.Collect(netlink.Attrs(b))
	if !bytes.Equal(m[1], []byte{10, 0, 0, 2}) || !bytes.Equal(m[4], []byte{7}) || m[5] == nil || len(m[5]) != 0 || len(m) != 3 {
		t.Errorf("parsed %v", m)
	}
	if m := maps.Collect(netlink.Attrs(b[:6])); len(m) != 0 { // truncated: nothing read past the end
		t.Errorf("truncated attributes parsed as %v", m)
	}
}
