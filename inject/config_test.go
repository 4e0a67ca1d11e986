package inject

import (
	"errors"
	"math"
	"os"
	"testing"

	packetspec "github.com/rawkit/rawkit/craft/spec"
)

// TestOpenRefusesRatesThatDoNotPace: a NaN rate compared false with
// every bound, and a rate so small that the time between packets
// overflows came out as no pacing at all. Open refuses them before it
// opens a socket, so this needs no privilege.
func TestOpenRefusesRatesThatDoNotPace(t *testing.T) {
	t.Parallel()
	pkts, err := packetspec.Parse("ip(dst=127.0.0.1)/icmp()")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []float64{math.NaN(), -1, math.Inf(-1), 1e-11, 1e-300} {
		s, err := Open(pkts, &Config{Rate: r})
		if err == nil {
			s.Close()
		}
		if err == nil || errors.Is(err, os.ErrPermission) {
			t.Errorf("rate %v: %v, want the rate refused", r, err)
		}
	}
}

// TestOpenRefusesWhatTheSocketRefuses: Open checks every packet as the
// raw socket will (CheckPacket), before it opens one, so that nothing of
// a list with one bad packet is sent and a dry run can check the same.
func TestOpenRefusesWhatTheSocketRefuses(t *testing.T) {
	t.Parallel()
	pkts, err := packetspec.Parse("ip(dst=127.0.0.1, ihl=[5,2])/icmp()")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(pkts, nil)
	if err == nil {
		s.Close()
	}
	if want := "raw: packet 2: IPv4 header length 8 bytes is below 20"; err == nil || err.Error() != want {
		t.Errorf("Open: %v, want %q", err, want)
	}
	if err := CheckPacket(pkts[0].Bytes, false, 1); err != nil {
		t.Errorf("packet 1: %v", err)
	}
}
