package raw

import (
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

func TestValidate6(t *testing.T) {
	for _, tt := range []struct {
		name     string
		protocol int
		ping     bool
		cfg      *Config
		want     string // substring of the error; "" means valid
	}{
		{"nil", 58, false, nil, ""},
		{"icmp6 filter", 58, false, &Config{ICMP6Filter: &ipv6.ICMPFilter{}}, ""},
		{"hop limit", 17, false, &Config{TTL: 3, TOS: 0xb8}, ""},
		{"zoned source", 58, false, &Config{Source: netip.MustParseAddr("fe80::1%eth0")}, ""},
		{"protocol", 0, false, nil, "protocol 0"},
		{"ipv4 source", 58, false, &Config{Source: netip.MustParseAddr("10.0.0.1")}, "10.0.0.1 is not IPv6"},
		{"mapped source", 58, false, &Config{Source: netip.MustParseAddr("::ffff:10.0.0.1")}, "is not IPv6"},
		{"icmp filter", 58, false, &Config{ICMPFilter: &ipv4.ICMPFilter{}}, "use ICMP6Filter on ip6:58"},
		{"icmp6 filter on udp", 17, false, &Config{ICMP6Filter: &ipv6.ICMPFilter{}}, "not ip6:17"},
		{"icmp6 filter on ping", 58, true, &Config{ICMP6Filter: &ipv6.ICMPFilter{}}, "not ping6"},
		{"hdrincl hop limit", 255, false, &Config{TTL: 5}, "hop limit 5 has no effect"},
		{"hdrincl tclass", 17, false, &Config{HeaderIncluded: true, TOS: 4}, "traffic class 4 has no effect"},
		{"ping hdrincl", 58, true, &Config{HeaderIncluded: true}, "ping sockets"},
		{"hop limit range", 58, false, &Config{TTL: 256}, "hop limit 256"},
	} {
		err := tt.cfg.validate6(tt.protocol, tt.ping)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, os.ErrInvalid)):
			t.Errorf("%s: got %v, want an invalid-input error with %q", tt.name, err, tt.want)
		}
	}
	if err := (&Config{ICMP6Filter: &ipv6.ICMPFilter{}}).validate(1, false); err == nil || !strings.Contains(err.Error(), "ICMPv6 filter") {
		t.Errorf("IPv4 socket with an ICMPv6 filter: %v", err)
	}
}

func TestCheckPacket6(t *testing.T) {
	hdr := make([]byte, 48)
	hdr[0] = 0x60
	for _, tt := range []struct {
		name    string
		b       []byte
		hdrincl bool
		want    string
	}{
		{"payload", make([]byte, 100), false, ""},
		{"big payload", make([]byte, 65536), false, "65536 bytes exceeds 65535"},
		{"header", hdr, true, ""},
		{"short", hdr[:39], true, "shorter than an IPv6 header"},
		{"version 4", append([]byte{0x45}, hdr[1:]...), true, "IP version 4, want 6"},
	} {
		err := checkPacket6(tt.b, tt.hdrincl, -1)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestDestination6(t *testing.T) {
	pkt := make([]byte, 40)
	pkt[0] = 0x60
	want := netip.MustParseAddr("fd00::2")
	a := want.As16()
	copy(pkt[24:], a[:])
	if d, err := destination6(netip.Addr{}, true, pkt); err != nil || d != want {
		t.Errorf("header's destination: %v %v", d, err)
	}
	if d, err := destination6(netip.MustParseAddr("fe80::1%eth0"), false, nil); err != nil || d.Zone() != "eth0" {
		t.Errorf("zone kept: %v %v", d, err)
	}
	for _, bad := range []string{"10.0.0.2", "::ffff:10.0.0.2"} {
		if _, err := destination6(netip.MustParseAddr(bad), false, nil); err == nil || !strings.Contains(err.Error(), bad+" is not IPv6") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
