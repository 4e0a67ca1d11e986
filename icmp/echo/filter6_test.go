package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"github.com/rawkit/rawkit/icmp"

	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv6"
)

// The filter run in x/net/bpf's VM against messages as an IPv6 raw
// socket sees them: the ICMPv6 message, no IP header.
func TestEchoFilter6(t *testing.T) {
	var prog []bpf.Instruction
	for _, r := range Filter6(0x4242) {
		prog = append(prog, r.Disassemble())
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	req := AppendRequest6(nil, 0x4242, 1, testTok, 1, 56)
	other := icmptest.EchoReply(AppendRequest6(nil, 0x4243, 1, testTok, 1, 56))
	for name, c := range map[string]struct {
		m    []byte
		pass bool
	}{
		"our reply":          {icmptest.EchoReply(req), true},
		"another id's reply": {other, false},
		"our request":        {req, false},
		"time exceeded":      {icmptest.Error6(icmp.TypeTimeExceededV6, 0, 0, self6, target6, icmp.ProtocolICMPv6, req), true},
		"packet too big":     {icmptest.Error6(icmp.TypePacketTooBigV6, 0, 1280, self6, target6, icmp.ProtocolICMPv6, req), true},
		"unreachable":        {icmptest.Error6(icmp.TypeDestUnreachV6, 3, 0, self6, target6, icmp.ProtocolICMPv6, req), true},
		"neighbour advert":   {[]byte{136, 0, 0, 0, 0x42, 0x42, 0, 0}, false},
	} {
		n, err := vm.Run(c.m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if (n > 0) != c.pass {
			t.Errorf("%s: filter kept %d bytes, want pass=%v", name, n, c.pass)
		}
	}
}

func TestEchoICMPFilter6(t *testing.T) {
	f := ICMPFilter6()
	for typ, blocked := range map[ipv6.ICMPType]bool{
		ipv6.ICMPTypeEchoReply: false, ipv6.ICMPTypeTimeExceeded: false, ipv6.ICMPTypePacketTooBig: false,
		ipv6.ICMPTypeDestinationUnreachable: false, ipv6.ICMPTypeParameterProblem: false,
		ipv6.ICMPTypeEchoRequest: true, ipv6.ICMPTypeNeighborAdvertisement: true, ipv6.ICMPTypeRouterAdvertisement: true,
	} {
		if f.WillBlock(typ) != blocked {
			t.Errorf("type %v: blocked %v, want %v", typ, f.WillBlock(typ), blocked)
		}
	}
}
