package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
)

// The filter run in x/net/bpf's VM against packets as a raw socket sees them.
func TestEchoFilter(t *testing.T) {
	raw := Filter(0x4242)
	var prog []bpf.Instruction
	for _, r := range raw {
		prog = append(prog, r.Disassemble())
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	ours := AppendRequest(nil, 0x4242, 1, Token{}, 1, 56)
	theirs := AppendRequest(nil, 0x4343, 1, Token{}, 1, 56)
	ip := func(m []byte) []byte { return append(icmptest.IPv4Header(target1, self, 64, len(m)), m...) }
	withOptions := func(m []byte) []byte {
		h := icmptest.IPv4Header(target1, self, 64, len(m)+4)
		h[0] = 0x46
		return append(append(h, 1, 1, 1, 1), m...) // four NOP options
	}
	cases := []struct {
		name string
		pkt  []byte
		pass bool
	}{
		{"our reply", ip(icmptest.EchoReply(ours)), true},
		{"our reply, IP options", withOptions(icmptest.EchoReply(ours)), true},
		{"another process's reply", ip(icmptest.EchoReply(theirs)), false},
		{"echo request", ip(ours), false},
		{"time exceeded", ip(icmptest.ErrorFor(11, 0, self, target1, ours, -1)), true},
		{"unreachable quoting another id", ip(icmptest.ErrorFor(3, 1, self, target1, theirs, 8)), true},
		{"parameter problem", ip(icmptest.ErrorFor(12, 0, self, target1, ours, 8)), true},
		{"source quench", ip(icmptest.ErrorFor(4, 0, self, target1, ours, 8)), true},
		{"redirect", ip(icmptest.ErrorFor(5, 1, self, target1, ours, 8)), true},
		{"timestamp request", ip([]byte{13, 0, 0, 0, 0, 0, 0, 0}), false},
	}
	for _, tc := range cases {
		n, err := vm.Run(tc.pkt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := n > 0; got != tc.pass {
			t.Errorf("%s: passed=%v, want %v", tc.name, got, tc.pass)
		}
	}
}

func TestEchoICMPFilter(t *testing.T) {
	f := ICMPFilter()
	for typ, blocked := range map[int]bool{0: false, 3: false, 4: false, 5: false, 8: true, 11: false, 12: false, 13: true} {
		if f.WillBlock(ipv4.ICMPType(typ)) != blocked {
			t.Errorf("type %d: blocked=%v", typ, !blocked)
		}
	}
}
