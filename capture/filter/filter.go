package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// LinkType is a pcap link-layer header type (the LINKTYPE_ values of
// pcap and pcapng files): what the bytes of each packet start with.
type LinkType uint32

// The link types filters compile for, and package capture reads and
// writes.
const (
	LinkEthernet  LinkType = 1   // LINKTYPE_ETHERNET: Ethernet II (also Linux loopback)
	LinkRaw       LinkType = 101 // LINKTYPE_RAW: an IPv4 or IPv6 header, no link layer
	LinkLinuxSLL  LinkType = 113 // LINKTYPE_LINUX_SLL: Linux cooked header, 16 bytes
	LinkLinuxSLL2 LinkType = 276 // LINKTYPE_LINUX_SLL2: Linux cooked header v2, 20 bytes
	LinkNull      LinkType = 0   // LINKTYPE_NULL: BSD loopback, a 4-byte address family in host order
	LinkIPv4      LinkType = 228 // LINKTYPE_IPV4: an IPv4 header, no link layer
	LinkIPv6      LinkType = 229 // LINKTYPE_IPV6: an IPv6 header, no link layer
)

func (l LinkType) String() string {
	switch l {
	case LinkEthernet:
		return "EN10MB"
	case LinkRaw:
		return "RAW"
	case LinkLinuxSLL:
		return "LINUX_SLL"
	case LinkLinuxSLL2:
		return "LINUX_SLL2"
	case LinkNull:
		return "NULL"
	case LinkIPv4:
		return "IPV4"
	case LinkIPv6:
		return "IPV6"
	}
	return fmt.Sprintf("LINKTYPE(%d)", uint32(l))
}

// linkLayout says where a link type keeps the EtherType and where the
// network header starts.
type linkLayout struct {
	protoOff int  // offset of the 16-bit EtherType; -1 for LinkRaw
	nh       int  // offset of the network header
	kernel   bool // SOCK_DGRAM socket: no link header, EtherType from skb->protocol
}

func layoutOf(l LinkType) (linkLayout, error) {
	switch l {
	case LinkEthernet:
		return linkLayout{protoOff: 12, nh: 14}, nil
	case LinkRaw, LinkIPv4, LinkIPv6:
		return linkLayout{protoOff: -1, nh: 0}, nil
	case LinkLinuxSLL:
		return linkLayout{protoOff: 14, nh: 16}, nil
	case LinkLinuxSLL2:
		return linkLayout{protoOff: 0, nh: 20}, nil
	}
	return linkLayout{}, fmt.Errorf("capture: filters on link type %v are not supported", l)
}

// DefaultSnapLen is what a program compiled for snap length 0 keeps of
// each accepted packet: 262144 bytes, tcpdump's default, so nothing is
// cut. It is also what package capture keeps unless told otherwise.
const DefaultSnapLen = 262144

// Compile compiles a filter expression in tcpdump's syntax (pcap-filter(7))
// to a classic BPF program for packets of the given link type. Accepted
// packets are kept up to snapLen bytes (0 means DefaultSnapLen). An empty
// expression accepts every packet. Syntax errors are *SyntaxError, which
// gives the position of the fault.
func Compile(expr string, link LinkType, snapLen int) ([]bpf.Instruction, error) {
	lay, err := layoutOf(link)
	if err != nil {
		return nil, err
	}
	prog, err := compile(expr, lay, snapLen)
	return kernelSized(expr, prog, err)
}

// CompileDgram is Compile for a SOCK_DGRAM packet socket, which hands the
// filter the network header at offset 0 and the EtherType through the
// SKF_AD_PROTOCOL extension (packet(7), filter(2)). The program runs only
// in the kernel: Load refuses that extension. Captures on "any" use it;
// the packets are then given a LINUX_SLL2 header in user space, which
// "len" counts (its 20 bytes are added to the kernel's length) so that a
// filter means the same live and on the saved file.
func CompileDgram(expr string, snapLen int) ([]bpf.Instruction, error) {
	prog, err := compile(expr, linkLayout{protoOff: -1, nh: 0, kernel: true}, snapLen)
	return kernelSized(expr, prog, err)
}

// kernelSized refuses a program the kernel would not attach: the
// BPF_MAXINSNS limit is the kernel's (filter(2)), not the language's, so
// it applies to live capture only; files are filtered by New, which has
// no such limit.
func kernelSized(expr string, prog []bpf.Instruction, err error) ([]bpf.Instruction, error) {
	if err == nil && len(prog) > bpfMaxInsns {
		return nil, fmt.Errorf("capture: %s needs %d instructions, more than the kernel's %d", quoteExpr(expr, -1), len(prog), bpfMaxInsns)
	}
	return prog, err
}

func compile(expr string, lay linkLayout, snapLen int) ([]bpf.Instruction, error) {
	return compileOpt(expr, lay, snapLen, true)
}

// compileOpt is compile with the optimiser on or off: off, the program
// is the code generated, which the tests run side by side with the
// optimised one.
func compileOpt(expr string, lay linkLayout, snapLen int, opt bool) ([]bpf.Instruction, error) {
	if snapLen <= 0 {
		snapLen = DefaultSnapLen
	}
	tree, err := parse(expr)
	if err != nil {
		return nil, err
	}
	g, err := generate(tree, expr, lay, snapLen, false, opt)
	if err == nil && g.usedIP6 {
		// Some primitive needs the IPv6 transport header: compile again
		// with the extension header walk in front.
		g, err = generate(tree, expr, lay, snapLen, true, opt)
	}
	if err != nil {
		return nil, err
	}
	a := &g.asm
	if opt {
		a = optimize(a)
	}
	return a.resolve()
}

// bpfMaxInsns is BPF_MAXINSNS, the kernel's limit for classic programs.
const bpfMaxInsns = 4096

// CompileRaw is Compile followed by bpf.Assemble, for SO_ATTACH_FILTER.
func CompileRaw(expr string, link LinkType, snapLen int) ([]bpf.RawInstruction, error) {
	prog, err := Compile(expr, link, snapLen)
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

func generate(tree node, expr string, lay linkLayout, snapLen int, ip6, group bool) (*gen, error) {
	g := &gen{lay: lay, expr: expr, group: group}
	if ip6 {
		g.ip6Prologue()
		g.mem = ip6Slots
	}
	accept, reject := g.newLabel(), g.newLabel()
	if tree != nil {
		if err := g.boolean(tree, accept, reject); err != nil {
			return nil, err
		}
	}
	g.place(accept)
	g.emit(bpf.RetConstant{Val: uint32(snapLen)})
	g.place(reject)
	g.emit(bpf.RetConstant{Val: 0})
	return g, nil
}
