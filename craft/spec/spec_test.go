package spec

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string // the whole Error()
		col  int
	}{
		{"ip(dst=10.0.0.2, ttll=3)", "unknown field 'ttll' in ip(...) at column 18; did you mean 'ttl'?", 18},
		{"ip(ttl=300)", "ttl 300 in ip(...) out of range 0-255 at column 8", 8},
		{"ip(frag=9000)", "frag 9000 in ip(...) out of range 0-8191 at column 9", 9},
		{"ip()/icmp(type=echo-reqest)", "type=echo-reqest in icmp(...) is not an ICMP type name or number at column 16; did you mean 'echo-request'?", 16},
		{"ip()/icmp(code=port-unreach)", "code=port-unreach in icmp(...) is not an ICMP code name or number at column 16; did you mean 'port-unreachable'?", 16},
		{"ip()/udpp()", "unknown layer 'udpp' at column 6; did you mean 'udp'?", 6},
		{"ether()/ip()", "unknown layer 'ether' at column 1; layers are ip, ip6, icmp, icmp6, udp, tcp, hbh, rt, frag6, dest, raw", 1},
		{"icmp()", "a spec starts with ip(...) or ip6(...): icmp(...) needs an IP header to carry it at column 1", 1},
		{"ip()/raw(\"a\")/icmp()", "raw(...) must be the last layer at column 6", 6},
		{"ip(ttl=1, ttl=2)", "field 'ttl' set twice in ip(...), first at column 4 at column 11", 11},
		{"ip()/raw(load=\"a\", hex=\"00\")", "field 'hex' contradicts 'load' in raw(...): they set the same bytes at column 20", 20},
		{"ip()/icmp(id=1, gw=10.0.0.1)", "field 'gw' contradicts 'id' in icmp(...): they set the same bytes at column 17", 17},
		{"ip(ttl=5-1)", "range 5-1 for ttl in ip(...) is empty: 5 is above 1 at column 8", 8},
		{"ip(dst=10.0.0.300)", "dst=10.0.0.300 in ip(...) is not an IPv4 address, range (a.b.c.d-e) or block (a.b.c.d/n) at column 8", 8},
		{"ip(dst=::1)", "dst=::1 in ip(...) is not an IPv4 address, range (a.b.c.d-e) or block (a.b.c.d/n) at column 8", 8},
		{"ip(ttl=64", "'(' of ip is never closed at column 3", 3},
		{"ip(ttl=64) udp()", "expected '/' between layers, found 'u' at column 12", 12},
		{"ip(ttl=[1,2)", "expected ',' or ']' in a list, found ')' at column 12", 12},
		{"ip()/raw(\"abc)", "string is never closed at column 10", 10},
		{"ip()/tcp(flags=SX)", "flags=SX in tcp(...) is not flag letters (FSRPAUECN) or a number at column 16", 16},
		{"ip(flags=XF)", "flags=XF in ip(...) is not flags (DF, MF, evil joined by +) or a number at column 10", 10},
		{"ip()/tcp(options=[mss=1460, sackokk])", "unknown option 'sackokk' in tcp(options=...) at column 29; did you mean 'sackok'?", 29},
		{"ip()/tcp(options=[mss=70000])", "option mss 70000 in tcp(...) out of range 0-65535 at column 23", 23},
		{"ip(options=[rr=10])", "option rr 10 in ip(...) out of range 0-9 at column 16", 16},
		{"ip(ttl)", "value without a field name in ip(...): write NAME=VALUE, e.g. version=4 at column 4", 4},
		{"ip(ttl=\"a\")", "ttl in ip(...) takes a number, not a quoted string at column 8", 8},
		{"ip(dst=10.0.0.0/8)/tcp(dport=0-65535)", "spec expands to more than 65536 packets (limit 65536): narrow the ranges and lists at column 4", 4},
		{"ip(ttl=[])", "empty list for ttl in ip(...): give at least one value at column 8", 8},
		{"", "expected a layer name (ip, ip6, icmp, icmp6, udp, tcp, hbh, rt, frag6, dest, raw), found the end of the spec at column 1", 1},
		{"ip()/raw(hex=\"0g\")", "hex=\"0g\" in raw(...) is not hex digits in pairs at column 14", 14},
		{"ip(options=[rr, rr, rr, rr, rr])", "IPv4 options take 195 bytes, more than 40 at column 1", 1},
	} {
		_, err := ParseConfig(tc.spec, testSource)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a *Error", tc.spec, err)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: errors.Is(err, ErrInvalid) is false", tc.spec)
		}
		if se.Error() != tc.want || se.Column != tc.col {
			t.Errorf("%q:\n got %q (column %d)\nwant %q (column %d)", tc.spec, se.Error(), se.Column, tc.want, tc.col)
		}
		if strings.Contains(se.Error(), "\n") {
			t.Errorf("%q: error has several lines: %q", tc.spec, se.Error())
		}
	}
}

func TestSpecCaret(t *testing.T) {
	_, err := Parse("ip(dst=10.0.0.2, ttll=3)")
	var se *Error
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	want := "  ip(dst=10.0.0.2, ttll=3)\n                   ^"
	if got := se.Caret(); got != want {
		t.Errorf("caret:\n%s\nwant:\n%s", got, want)
	}
}

func TestSpecExpansion(t *testing.T) {
	pkts, err := ParseConfig("ip(dst=10.0.0.1-3, ttl=[1,5-6])/udp(dport=[7,8])", testSource)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 3*3*2 {
		t.Fatalf("%d packets, want 18", len(pkts))
	}
	d := craft.NewDecoder(layers.LayerTypeIPv4)
	i := 0
	for _, dst := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		for _, ttl := range []uint8{1, 5, 6} {
			for _, port := range []layers.UDPPort{7, 8} {
				if err := d.Decode(pkts[i].Bytes); err != nil {
					t.Fatal(err)
				}
				if d.IPv4.DstIP.String() != dst || d.IPv4.TTL != ttl || d.UDP.DstPort != port || !d.ChecksumsValid() {
					t.Errorf("packet %d: dst %v ttl %d dport %d, want %s %d %d", i, d.IPv4.DstIP, d.IPv4.TTL, d.UDP.DstPort, dst, ttl, port)
				}
				if pkts[i].Dst != netip.MustParseAddr(dst) || pkts[i].Src != netip.MustParseAddr("192.0.2.1") {
					t.Errorf("packet %d: Src %v Dst %v", i, pkts[i].Src, pkts[i].Dst)
				}
				i++
			}
		}
	}
	s, err := Compile("ip(dst=10.0.0.0/24)/tcp(dport=1-256)", nil)
	if err != nil || s.Count() != 65536 {
		t.Errorf("Count = %v, %v; want 65536", s, err)
	}
	if _, err := Compile("ip(ttl=1-3)/udp(dport=1-3)", &Config{MaxPackets: 8}); err == nil {
		t.Error("9 packets passed a limit of 8")
	}
}

// TestSpecLiteral: fields given are written as given, computed ones are
// right.
func TestSpecLiteral(t *testing.T) {
	pkts, err := ParseConfig("ip(dst=10.0.0.2, frag=185, flags=MF, chksum=0x1111)/icmp(chksum=0x2222)", testSource)
	if err != nil {
		t.Fatal(err)
	}
	b := pkts[0].Bytes
	if b[10] != 0x11 || b[11] != 0x11 || b[22] != 0x22 || b[23] != 0x22 {
		t.Errorf("checksums not kept: % x", b)
	}
	if off := int(b[6]&0x1f)<<8 | int(b[7]); off != 185 || b[6]&0x20 == 0 {
		t.Errorf("fragment offset %d, MF %v", off, b[6]&0x20 != 0)
	}
	d := craft.NewDecoder(layers.LayerTypeIPv4)
	pkts, _ = ParseConfig("ip(dst=10.0.0.2)/tcp(options=[mss=1460])/raw(\"x\")", testSource)
	if err := d.Decode(pkts[0].Bytes); err != nil || !d.ChecksumsValid() || d.TCP.DataOffset != 6 {
		t.Errorf("computed fields wrong: %v, checksums valid %v, data offset %d", err, d.ChecksumsValid(), d.TCP.DataOffset)
	}
}

func TestSpecSourceError(t *testing.T) {
	cfg := &Config{Source: func(dst netip.Addr) (netip.Addr, error) {
		return netip.Addr{}, errors.New("network is unreachable")
	}}
	_, err := ParseConfig("ip(ttl=1, dst=10.9.9.9)/icmp()", cfg)
	want := "no source address for dst 10.9.9.9: network is unreachable at column 11"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if errors.Unwrap(err) == nil || errors.Unwrap(err).Error() != "network is unreachable" {
		t.Errorf("the route lookup's error is not the cause: %v", errors.Unwrap(err))
	}
	pkts, err := ParseConfig("ip(src=10.1.1.1, dst=10.9.9.9)/icmp()", cfg)
	if err != nil || pkts[0].Src != netip.MustParseAddr("10.1.1.1") {
		t.Errorf("a given src still asked the route: %v", err)
	}
}

func TestSpecHelpNamesEveryField(t *testing.T) {
	h := Help()
	for _, d := range specLayers {
		for _, f := range d.fields {
			if !strings.Contains(h, "  "+f.name) {
				t.Errorf("help lacks %s.%s", d.name, f.name)
			}
		}
	}
}

func TestSpecShow(t *testing.T) {
	pkts, err := ParseConfig("ip(dst=10.0.0.2, flags=DF)/udp(dport=9)/raw(\"hi\")", testSource)
	if err != nil {
		t.Fatal(err)
	}
	got := pkts[0].Show()
	for _, want := range []string{"###[ ip ]###\n  version   = 4\n", "  flags     = DF\n", "  len       = 30\n", "  proto     = udp (17)\n",
		"  src       = 192.0.2.1\n", "###[ udp ]###\n", "  dport     = 9\n", "  len       = 10\n", "###[ raw ]###\n  load      = \"hi\"\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Show lacks %q:\n%s", want, got)
		}
	}
}

// TestSpecSourceLookups: the route is asked once per destination.
func TestSpecSourceLookups(t *testing.T) {
	calls := map[netip.Addr]int{}
	cfg := &Config{Source: func(dst netip.Addr) (netip.Addr, error) {
		calls[dst]++
		return netip.MustParseAddr("192.0.2.1"), nil
	}}
	pkts, err := ParseConfig("ip(ttl=[1,2], dst=10.0.0.1-3)/ip(dst=[10.0.0.9, 10.0.0.1])/icmp()", cfg)
	if err != nil || len(pkts) != 12 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	if len(calls) != 4 {
		t.Errorf("looked up %v, want 10.0.0.1-3 and 10.0.0.9", calls)
	}
	for dst, n := range calls {
		if n != 1 {
			t.Errorf("%v looked up %d times", dst, n)
		}
	}
}

// TestSpecCaretLong: the caret line of a long spec shows the part around
// the column, cut with "..."; a spec of usual length shows whole.
func TestSpecCaretLong(t *testing.T) {
	pad := strings.Repeat(" ", 1000)
	for spec, want := range map[string]string{
		"ip(dst=10.0.0.2, ttl=1)/icmp6(type=ns, tgt=fd00::2, ttll=1, options=[slla=02:00:00:00:00:01])": "  ip(dst=10.0.0.2, ttl=1)/icmp6(type=ns, tgt=fd00::2, ttll=1, options=[slla=02:00:00:00:00:01])\n",
		"ip(" + pad + "ttll=3" + pad + ")": "  ..." + pad[:60] + "ttll=3" + pad[:54] + "...\n" + strings.Repeat(" ", 2+3+60) + "^",
	} {
		_, err := Parse(spec)
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("%.40q: %v", spec, err)
		}
		if got := se.Caret(); !strings.HasPrefix(got, want) {
			t.Errorf("%.40q: caret\n%s\nwant it to start\n%s", spec, got, want)
		}
	}
}
