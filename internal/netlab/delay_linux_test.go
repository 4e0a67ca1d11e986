//go:build linux

package netlab

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlink"
)

func TestIP6tables(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"iptables", "ip6tables"},
		{"iptables-legacy", "ip6tables-legacy"},
		{"iptables-nft", "ip6tables-nft"},
		{"/usr/sbin/iptables-nft", "/usr/sbin/ip6tables-nft"},
		{"/opt/xt/xtables", "/opt/xt/ip6tables"},
	} {
		if got := ip6tables(c.in); got != c.want {
			t.Errorf("ip6tables(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// packetInfo takes the id from NFQA_PACKET_HDR and the receive time from
// NFQA_TIMESTAMP, in whatever order they come, skipping other attributes.
func TestPacketInfo(t *testing.T) {
	hdr := binary.BigEndian.AppendUint32(nil, 4242) // packet_id
	hdr = append(hdr, 0x08, 0x00, 3)                // hw_protocol, hook
	ts := binary.BigEndian.AppendUint64(nil, 1_700_000_000)
	ts = binary.BigEndian.AppendUint64(ts, 123456)
	mark := binary.BigEndian.AppendUint32(nil, 7)
	at := time.Unix(1_700_000_000, 123456000)
	for _, c := range []struct {
		name  string
		attrs []byte
		id    uint32
		at    time.Time
		ok    bool
	}{
		{"header, stamp", slices.Concat(netlink.AppendAttr(nil, nfqaPacketHdr, hdr), netlink.AppendAttr(nil, 3, mark), netlink.AppendAttr(nil, nfqaTimestamp, ts)), 4242, at, true},
		{"stamp first", slices.Concat(netlink.AppendAttr(nil, nfqaTimestamp, ts), netlink.AppendAttr(nil, nfqaPacketHdr, hdr)), 4242, at, true},
		{"no stamp", netlink.AppendAttr(nil, nfqaPacketHdr, hdr), 4242, time.Time{}, true},
		{"no header", netlink.AppendAttr(nil, nfqaTimestamp, ts), 0, at, false},
		{"truncated", netlink.AppendAttr(nil, nfqaPacketHdr, hdr)[:6], 0, time.Time{}, false},
	} {
		id, got, ok := packetInfo(c.attrs)
		if id != c.id || !got.Equal(c.at) || ok != c.ok {
			t.Errorf("%s: %d, %v, %v; want %d, %v, %v", c.name, id, got, ok, c.id, c.at, c.ok)
		}
	}
}

// A delay counts from the packet's receive time when it has a plausible
// one, else from the read.
func TestDelaySince(t *testing.T) {
	read := time.Now()
	for _, c := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"stamped", read.Add(-3 * time.Millisecond), read.Add(-3 * time.Millisecond)},
		{"no stamp", time.Time{}, read},
		{"after the read", read.Add(time.Millisecond), read},
		{"a clock step ago", read.Add(-2 * maxStampAge), read},
	} {
		if got := since(c.at, read); !got.Equal(c.want) {
			t.Errorf("%s: since = %v, want %v", c.name, got, c.want)
		}
	}
}
