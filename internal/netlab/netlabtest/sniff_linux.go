//go:build linux

package netlabtest

import (
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

// Sniffer is a netlab.Sniffer tied to a test: Stop fails the test when
// the capture failed or missed packets.
type Sniffer struct {
	t testing.TB
	s *netlab.Sniffer
}

// Sniff starts a capture on iface inside h's namespace with a tcpdump
// filter expression ("" for everything; pcap-filter(7)) and returns once
// it is open, so that whatever is sent afterwards is captured
// (netlab.Host.StartSniff). Stop ends it and returns what it saw; the
// capture is closed at the end of the test if Stop was not called.
// Packets are cut at netlab.DefaultSnaplen bytes; SniffWith changes that.
func Sniff(t testing.TB, h *netlab.Host, iface, filter string) *Sniffer {
	t.Helper()
	return SniffWith(t, h, iface, filter, nil)
}

// SniffWith is Sniff with a configuration (nil means the defaults).
func SniffWith(t testing.TB, h *netlab.Host, iface, filter string, cfg *netlab.SniffConfig) *Sniffer {
	t.Helper()
	s, err := h.StartSniff(iface, filter, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Only an abandoned capture is closed here: Stop has already reported
	// a failure of the capture.
	t.Cleanup(func() { _ = s.Close() })
	return &Sniffer{t: t, s: s}
}

// Stop ends the capture and returns the packets seen, in order. It fails
// the test if the capture failed, if the kernel dropped packets (its ring
// was full), or if fewer packets were read than the kernel had queued: an
// oracle that missed packets would mislead. Calling it again returns the
// same packets.
func (s *Sniffer) Stop() []netlab.Packet {
	s.t.Helper()
	pkts, err := s.s.Stop()
	if err != nil {
		s.t.Fatalf("netlab: sniff %s: %v", s.s, err)
	}
	return pkts
}

// StopErr is Stop returning the error instead of failing the test.
func (s *Sniffer) StopErr() ([]netlab.Packet, error) { return s.s.Stop() }
