package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv6"
)

// Filter6 is Filter for a raw ICMPv6 socket: echo replies with
// another identifier are dropped in the kernel, ICMPv6 errors (types
// below 128, RFC 4443 2.1) pass, everything else is dropped. On an IPv6
// raw socket the program sees the ICMPv6 message itself: the kernel
// never passes the IPv6 header up (ipv6(7)), so offsets start at the
// type byte.
func Filter6(id uint16) []bpf.RawInstruction {
	const accept, drop = 0xffffffff, 0
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 0, Size: 1}, // 0: A = ICMPv6 type
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: icmp.TypeEchoReplyV6, SkipTrue: 2},
		bpf.LoadAbsolute{Off: 4, Size: 2}, // 2: A = identifier
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 2, SkipFalse: 1},
		bpf.JumpIf{Cond: bpf.JumpLessThan, Val: 128, SkipTrue: 1}, // 4: an error
		bpf.RetConstant{Val: drop},                                // 5
		bpf.RetConstant{Val: accept},                              // 6
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic("icmp: echo filter does not assemble: " + err.Error()) // a fixed program: cannot happen
	}
	return raw
}

// ICMPFilter6 returns the ICMP6_FILTER (icmp6(7), RFC 3542 3.2) for a
// raw ICMPv6 echo socket: echo replies and the four error types pass;
// neighbour discovery, router advertisements, echo requests and the rest
// are blocked before the BPF program runs.
func ICMPFilter6() *ipv6.ICMPFilter {
	var f ipv6.ICMPFilter
	f.SetAll(true)
	for _, t := range []ipv6.ICMPType{ipv6.ICMPTypeEchoReply, ipv6.ICMPTypeDestinationUnreachable,
		ipv6.ICMPTypePacketTooBig, ipv6.ICMPTypeTimeExceeded, ipv6.ICMPTypeParameterProblem} {
		f.Accept(t)
	}
	return &f
}
