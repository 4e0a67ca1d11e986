package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
)

// Filter returns the classic BPF program a raw ICMP socket of an echo
// run attaches (SO_ATTACH_FILTER): echo replies carrying another
// identifier are dropped in the kernel, ICMP errors pass so that they can
// be matched through their quote, and everything else (echo requests,
// which a raw socket on loopback also sees, timestamps, ...) is dropped.
// iputils ping installs the same kind of filter (ping.c), so a busy host
// with many pings does not wake every one of them for every reply.
//
// The program runs on the packet as a raw socket sees it, IPv4 header
// first (raw(7)); the header length is read from the packet.
func Filter(id uint16) []bpf.RawInstruction {
	const accept, drop = 0xffffffff, 0
	prog := []bpf.Instruction{
		bpf.LoadMemShift{Off: 0},          // 0: X = IPv4 header length
		bpf.LoadIndirect{Off: 0, Size: 1}, // 1: A = ICMP type
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: icmp.TypeEchoReply, SkipTrue: 2},
		bpf.LoadIndirect{Off: 4, Size: 2}, // 3: A = identifier
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 6, SkipFalse: 7},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmp.TypeDestUnreach, SkipTrue: 5}, // 5
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmp.TypeSourceQuench, SkipTrue: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmp.TypeRedirect, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmp.TypeTimeExceeded, SkipTrue: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: icmp.TypeParameterProb, SkipTrue: 1},
		bpf.RetConstant{Val: drop},   // 10: other types
		bpf.RetConstant{Val: accept}, // 11
		bpf.RetConstant{Val: drop},   // 12: someone else's echo reply
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic("icmp: echo filter does not assemble: " + err.Error()) // a fixed program: cannot happen
	}
	return raw
}

// ICMPFilter returns the ICMP_FILTER (raw(7)) for a raw echo socket:
// echo replies and the error types pass, every other type is blocked
// before the BPF program runs.
func ICMPFilter() *ipv4.ICMPFilter {
	var f ipv4.ICMPFilter
	f.SetAll(true)
	for _, t := range []ipv4.ICMPType{ipv4.ICMPTypeEchoReply, ipv4.ICMPTypeDestinationUnreachable,
		4 /* source quench */, ipv4.ICMPTypeRedirect, ipv4.ICMPTypeTimeExceeded, ipv4.ICMPTypeParameterProblem} {
		f.Accept(t)
	}
	return &f
}
