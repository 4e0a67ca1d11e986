package craft

import (
	"bytes"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// FuzzDecode feeds any bytes to the decoders and the summary printer, as raw
// IP, as Ethernet, as ARP and as a lone ICMP message: none may panic, every summary is one
// non-empty line, and the input is left untouched. The seed corpus in
// testdata/fuzz/FuzzDecode holds the golden packets and malformed variants
// of them.
func FuzzDecode(f *testing.F) {
	decoders := map[gopacket.LayerType]*Decoder{
		layers.LayerTypeIPv4:     NewDecoder(layers.LayerTypeIPv4),
		layers.LayerTypeEthernet: NewDecoder(layers.LayerTypeEthernet),
		layers.LayerTypeARP:      NewDecoder(layers.LayerTypeARP),
		layers.LayerTypeICMPv4:   NewDecoder(layers.LayerTypeICMPv4),
		layers.LayerTypeIPv6:     NewDecoder(layers.LayerTypeIPv6),
		layers.LayerTypeICMPv6:   NewDecoder(layers.LayerTypeICMPv6),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		for first, d := range decoders {
			err := d.Decode(data)
			for _, typ := range []gopacket.LayerType{layers.LayerTypeIPv4, layers.LayerTypeICMPv4, layers.LayerTypeUDP, layers.LayerTypeTCP, layers.LayerTypeICMPv6} {
				c := d.Checksum(typ)
				if c.State != ChecksumAbsent && !d.Has(typ) {
					t.Errorf("%v: checksum %v for a layer not decoded (%v)", first, c.State, d.Layers())
				}
			}
			if err == nil && d.Truncated() && d.Has(layers.LayerTypeICMPv4) && d.Checksum(layers.LayerTypeICMPv4).State != ChecksumIncomplete {
				t.Errorf("%v: truncated ICMP judged %v", first, d.Checksum(layers.LayerTypeICMPv4).State)
			}
			s := d.AppendSummary(nil)
			if len(s) == 0 || bytes.IndexByte(s, '\n') >= 0 {
				t.Errorf("%v: summary %q", first, s)
			}
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("decoding modified its input")
		}
	})
}
