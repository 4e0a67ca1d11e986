package spec

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

func TestSpec6Errors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string
		col  int
	}{
		{"ip6(dst=fd00::2, hlimit=3)", "unknown field 'hlimit' in ip6(...) at column 18; did you mean 'hlim'?", 18},
		{"ip6(fl=0x100000)", "fl 0x100000 in ip6(...) out of range 0-1048575 at column 8", 8},
		{"ip6(hlim=256)", "hlim 256 in ip6(...) out of range 0-255 at column 10", 10},
		{"ip6(dst=fd00:::2)", "dst=fd00:::2 in ip6(...) is not an IPv6 address, range (fd00::1-fd00::9 or fd00::1-9) or block (fd00::/120) at column 9", 9},
		{"ip6(dst=10.0.0.1)", "dst=10.0.0.1 in ip6(...) is not an IPv6 address, range (fd00::1-fd00::9 or fd00::1-9) or block (fd00::/120) at column 9", 9},
		{"ip6(dst=fd00::/48)", "block fd00::/48 for dst in ip6(...) is too large: give a prefix of /64 or longer at column 9", 9},
		{"ip6(dst=fd00::9-1)", "range fd00::9-1 for dst in ip6(...) is empty: its start is above its end at column 9", 9},
		{"ip6(dst=fd00::/112)/udp(dport=1-2)", "spec expands to more than 65536 packets (limit 65536): narrow the ranges and lists at column 25", 25},
		{"ip6()/icmp6(type=neighbour-solicitaton)", "type=neighbour-solicitaton in icmp6(...) is not an ICMPv6 type name or number at column 18; did you mean 'neighbour-solicitation'?", 18},
		{"ip6()/icmp6(code=port-unreach)", "code=port-unreach in icmp6(...) is not an ICMPv6 code name or number at column 18; did you mean 'port-unreachable'?", 18},
		{"ip6()/icmp6(type=ns, options=[sla=02:00:00:00:00:01])", "unknown option 'sla' in icmp6(options=...) at column 31; did you mean 'slla'?", 31},
		{"ip6()/icmp6(type=ns, options=[slla=02:00])", "option slla=02:00 in icmp6(...) is not a MAC address at column 36", 36},
		{"ip6()/icmp6(id=1, mtu=1400)", "field 'mtu' contradicts 'id' in icmp6(...): they set the same bytes at column 19", 19},
		{"ip6()/rt(addrs=[fd00::1, 10.0.0.1])", "10.0.0.1 in rt(...) is not an IPv6 address at column 26", 26},
		{"ip6()/frag6(offset=8192)", "offset 8192 in frag6(...) out of range 0-8191 at column 20", 20},
		{"ip6()/hbh(options=[rb=1])", "unknown option 'rb' in hbh(options=...) at column 20; did you mean 'ra'?", 20},
		{"ip6()/hbhh()", "unknown layer 'hbhh' at column 7; did you mean 'hbh'?", 7},
		{"ip6()/raw(\"x\")/udp()", "raw(...) must be the last layer at column 7", 7},
	} {
		_, err := ParseConfig(tc.spec, testSource)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a *Error", tc.spec, err)
			continue
		}
		if se.Error() != tc.want || se.Column != tc.col {
			t.Errorf("%q:\n got %q (column %d)\nwant %q (column %d)", tc.spec, se.Error(), se.Column, tc.want, tc.col)
		}
	}
}

// TestSpec6RoundTrip: the packets of IPv6 specs decode to the fields
// written, with every checksum good.
func TestSpec6RoundTrip(t *testing.T) {
	d := craft.NewDecoder(layers.LayerTypeIPv6)
	pkts, err := ParseConfig(`ip6(dst=fd00::1-2, hlim=3, tc=0x10, fl=12345)/hbh(options=[ra=0])/rt(addrs=[fd00::9])/dest()/udp(sport=1000, dport=[53,123])/raw("q")`, testSource)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 4 {
		t.Fatalf("%d packets, want 4", len(pkts))
	}
	for i, p := range pkts {
		if err := d.Decode(p.Bytes); err != nil {
			t.Fatal(err)
		}
		ip := d.IPv6
		wantDst := net.ParseIP([]string{"fd00::1", "fd00::2"}[i/2])
		if ip.HopLimit != 3 || ip.TrafficClass != 0x10 || ip.FlowLabel != 12345 || !ip.DstIP.Equal(wantDst) ||
			!ip.SrcIP.Equal(net.ParseIP("2001:db8::1")) || p.Dst.String() != wantDst.String() || p.Src.String() != "2001:db8::1" {
			t.Errorf("packet %d: header %+v, Src %v Dst %v", i, ip, p.Src, p.Dst)
		}
		if n := len(d.IPv6Extensions()); n != 3 {
			t.Errorf("packet %d: %d extension headers, want 3", i, n)
		}
		if d.UDP.SrcPort != 1000 || d.UDP.DstPort != []layers.UDPPort{53, 123}[i%2] || string(d.Payload) != "q" {
			t.Errorf("packet %d: UDP %+v payload %q", i, d.UDP, d.Payload)
		}
		if c := d.Checksum(layers.LayerTypeUDP); !c.Valid() {
			t.Errorf("packet %d: UDP checksum %v", i, c.State)
		}
	}
	pkts, err = ParseConfig(`ip6(dst=fd00::2)/icmp6(type=echo-reply, id=7, seq=9)/raw("abc")`, testSource)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Decode(pkts[0].Bytes); err != nil || d.ICMPv6.TypeCode.Type() != layers.ICMPv6TypeEchoReply ||
		d.ICMPv6Echo.Identifier != 7 || d.ICMPv6Echo.SeqNumber != 9 || string(d.Payload) != "abc" || !d.Checksum(layers.LayerTypeICMPv6).Valid() {
		t.Errorf("echo reply: %v %+v %+v %q %v", err, d.ICMPv6, d.ICMPv6Echo, d.Payload, d.Checksum(layers.LayerTypeICMPv6))
	}
}

// TestSpec6BadChecksums: a checksum written in the spec goes out as set,
// and the decoder finds it wrong.
func TestSpec6BadChecksums(t *testing.T) {
	d := craft.NewDecoder(layers.LayerTypeIPv6)
	for _, c := range []struct {
		spec string
		typ  gopacket.LayerType
	}{
		{`ip6(dst=fd00::2)/icmp6(chksum=0x1234)`, layers.LayerTypeICMPv6},
		{`ip6(dst=fd00::2)/udp(chksum=0x1234)`, layers.LayerTypeUDP},
		{`ip6(dst=fd00::2)/tcp(chksum=0x1234)`, layers.LayerTypeTCP},
		{`ip6(dst=fd00::2)/frag6(id=1)/icmp6(type=ns, tgt=fd00::1, chksum=0x1234)`, layers.LayerTypeICMPv6},
	} {
		pkts, err := ParseConfig(c.spec, testSource)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Decode(pkts[0].Bytes); err != nil {
			t.Fatal(err)
		}
		if got := d.Checksum(c.typ); got.State != craft.ChecksumBad || got.Got != 0x1234 {
			t.Errorf("%s: checksum %+v, want bad 0x1234", c.spec, got)
		}
		// Without the chksum field the same packet verifies.
		pkts, err = ParseConfig(strings.NewReplacer(", chksum=0x1234", "", "chksum=0x1234", "").Replace(c.spec), testSource)
		if err != nil {
			t.Fatal(err)
		}
		if d.Decode(pkts[0].Bytes); !d.Checksum(c.typ).Valid() {
			t.Errorf("%s without chksum: %v", c.spec, d.Checksum(c.typ).State)
		}
	}
}

func TestSpec6Help(t *testing.T) {
	h := Help()
	for _, s := range []string{"ip6(...)", "icmp6(...)", "hbh(...)", "rt(...)", "frag6(...)", "dest(...)", "hlim", "fl (flow, flowlabel)", "slla=MAC", "ICMPv6 types: ", "neighbor-solicitation"} {
		if !strings.Contains(h, s) {
			t.Errorf("help lacks %q", s)
		}
	}
}

// TestSpec6Show: Show lists the fields of the ICMPv6 message's own type,
// with the values written.
func TestSpec6Show(t *testing.T) {
	p, err := ParseConfig(`ip6(dst=fd00::2, fl=7)/icmp6(type=ptb, mtu=1400)/ip6(dst=fd00::9)/udp()`, testSource)
	if err != nil {
		t.Fatal(err)
	}
	s := p[0].Show()
	for _, want := range []string{"###[ ip6 ]###", "  fl        = 7\n", "  nh        = icmp6 (58)\n", "  src       = 2001:db8::1\n",
		"  type      = packet-too-big (2)\n", "  mtu       = 1400\n", "  plen      = 8\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("Show lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "seq ") || strings.Contains(s, "tgt ") {
		t.Errorf("Show has echo or ND fields for a packet-too-big:\n%s", s)
	}
}
