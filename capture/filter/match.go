package filter

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// Filter runs a classic BPF program over packets in user space, as the
// kernel would: it is how a filter applies to packets read from a file.
// A Filter is safe for concurrent use.
type Filter struct {
	prog []bpf.RawInstruction
}

// New compiles expr (tcpdump syntax) for packets of the given link
// type. An empty expression matches everything.
// Unlike Compile it has no limit on the program's length but
// userMaxInsns: the kernel's BPF_MAXINSNS is for live capture only.
func New(expr string, link LinkType) (*Filter, error) {
	lay, err := layoutOf(link)
	if err != nil {
		return nil, err
	}
	prog, err := compile(expr, lay, DefaultSnapLen)
	if err != nil {
		return nil, err
	}
	if len(prog) > userMaxInsns {
		return nil, fmt.Errorf("capture: %s needs %d instructions, more than %d", quoteExpr(expr, -1), len(prog), userMaxInsns)
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, err
	}
	return load(raw, userMaxInsns)
}

// userMaxInsns bounds a program run in user space; what the parser can
// produce from an argument is far below it.
const userMaxInsns = 1 << 20

// Load checks a classic BPF program the way the kernel's
// bpf_check_classic does (jumps in range, scratch slots 0-15, no division
// by a constant zero, ends with a return) and returns a Filter running
// it. Linux ancillary loads (SKF_AD_*) other than the length are refused:
// they have no meaning outside a socket.
func Load(prog []bpf.RawInstruction) (*Filter, error) {
	return load(prog, bpfMaxInsns)
}

func load(prog []bpf.RawInstruction, maxInsns int) (*Filter, error) {
	if len(prog) == 0 || len(prog) > maxInsns {
		return nil, fmt.Errorf("capture: BPF program of %d instructions", len(prog))
	}
	for i, in := range prog {
		if err := checkInsn(in, i, len(prog)); err != nil {
			return nil, fmt.Errorf("capture: BPF instruction %d: %w", i, err)
		}
	}
	if cls := prog[len(prog)-1].Op & 0x07; cls != 0x06 {
		return nil, errors.New("capture: BPF program does not end with a return")
	}
	return &Filter{prog: prog}, nil
}

// Classic BPF opcode fields (linux/filter.h, bpf_common.h).
const (
	clsLD, clsLDX, clsST, clsSTX, clsALU, clsJMP, clsRET, clsMISC = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07

	szW, szH, szB                            = 0x00, 0x08, 0x10
	mdIMM, mdABS, mdIND, mdMEM, mdLEN, mdMSH = 0x00, 0x20, 0x40, 0x60, 0x80, 0xa0
	srcX                                     = 0x08
	skfAdOff                                 = 0xfffff000
)

func checkInsn(in bpf.RawInstruction, i, n int) error {
	switch in.Op & 0x07 {
	case clsLD, clsLDX:
		if in.Op&0xe0 == mdMEM && in.K >= 16 {
			return fmt.Errorf("scratch slot %d", in.K)
		}
		if in.Op&0xe0 == mdABS && in.K >= skfAdOff {
			return errors.New("ancillary (SKF_AD) load")
		}
	case clsST, clsSTX:
		if in.K >= 16 {
			return fmt.Errorf("scratch slot %d", in.K)
		}
	case clsALU:
		op := in.Op & 0xf0
		if (op == 0x30 || op == 0x90) && in.Op&srcX == 0 && in.K == 0 {
			return errors.New("division by zero")
		}
	case clsJMP:
		if in.Op&0xf0 == 0x00 {
			if uint64(i)+1+uint64(in.K) >= uint64(n) {
				return errors.New("jump out of range")
			}
		} else if i+1+int(in.Jt) >= n || i+1+int(in.Jf) >= n {
			return errors.New("jump out of range")
		}
	}
	return nil
}

// Match reports whether the filter accepts a packet. data is the bytes
// captured, wireLen the packet's length on the wire (what "len" and
// "greater" test, as in libpcap's bpf_filter).
func (f *Filter) Match(data []byte, wireLen int) bool { return f.Run(data, wireLen) != 0 }

// Run runs the program and returns its result: how many bytes of the
// packet to keep, 0 to drop it. Loads beyond the captured bytes end the
// program with 0, as in the kernel.
func (f *Filter) Run(data []byte, wireLen int) uint32 {
	var a, x uint32
	var mem [16]uint32
	prog := f.prog
	for pc := 0; pc < len(prog); pc++ {
		in := &prog[pc]
		k := in.K
		switch in.Op & 0x07 {
		case clsLD:
			switch in.Op & 0xe0 {
			case mdIMM:
				a = k
			case mdMEM:
				a = mem[k&15]
			case mdLEN:
				a = uint32(wireLen)
			case mdABS, mdIND:
				off := uint64(k)
				if in.Op&0xe0 == mdIND {
					off += uint64(x)
				}
				v, ok := loadAt(data, off, in.Op&0x18)
				if !ok {
					return 0
				}
				a = v
			}
		case clsLDX:
			switch in.Op & 0xe0 {
			case mdIMM:
				x = k
			case mdMEM:
				x = mem[k&15]
			case mdLEN:
				x = uint32(wireLen)
			case mdMSH:
				if uint64(k) >= uint64(len(data)) {
					return 0
				}
				x = 4 * uint32(data[k]&0x0f)
			}
		case clsST:
			mem[k&15] = a
		case clsSTX:
			mem[k&15] = x
		case clsALU:
			if in.Op&srcX != 0 {
				k = x
			}
			var ok bool
			if a, ok = alu(in.Op&0xf0, a, k); !ok {
				return 0
			}
		case clsJMP:
			pc += jump(in, a, x)
		case clsRET:
			if in.Op&0x18 == 0x10 { // BPF_A
				return a
			}
			return k
		case clsMISC:
			if in.Op&0xf8 == 0 { // TAX
				x = a
			} else {
				a = x
			}
		}
	}
	return 0
}

func loadAt(data []byte, off uint64, size uint16) (uint32, bool) {
	switch size {
	case szW:
		if off+4 > uint64(len(data)) {
			return 0, false
		}
		return binary.BigEndian.Uint32(data[off:]), true
	case szH:
		if off+2 > uint64(len(data)) {
			return 0, false
		}
		return uint32(binary.BigEndian.Uint16(data[off:])), true
	default:
		if off >= uint64(len(data)) {
			return 0, false
		}
		return uint32(data[off]), true
	}
}

func alu(op uint16, a, k uint32) (uint32, bool) {
	switch op {
	case 0x00:
		return a + k, true
	case 0x10:
		return a - k, true
	case 0x20:
		return a * k, true
	case 0x30:
		if k == 0 {
			return 0, false
		}
		return a / k, true
	case 0x40:
		return a | k, true
	case 0x50:
		return a & k, true
	case 0x60:
		return a << (k & 31), true
	case 0x70:
		return a >> (k & 31), true
	case 0x80:
		return -a, true
	case 0x90:
		if k == 0 {
			return 0, false
		}
		return a % k, true
	case 0xa0:
		return a ^ k, true
	}
	return a, true
}

// jump returns how many instructions to skip.
func jump(in *bpf.RawInstruction, a, x uint32) int {
	k := in.K
	if in.Op&srcX != 0 {
		k = x
	}
	var ok bool
	switch in.Op & 0xf0 {
	case 0x00: // JA
		return int(in.K)
	case 0x10:
		ok = a == k
	case 0x20:
		ok = a > k
	case 0x30:
		ok = a >= k
	case 0x40:
		ok = a&k != 0
	}
	if ok {
		return int(in.Jt)
	}
	return int(in.Jf)
}
