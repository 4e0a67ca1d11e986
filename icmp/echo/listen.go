package echo

import (
	"errors"
	"net/netip"
)

// Mode is the kind of socket an echo run uses.
type Mode int

const (
	// ModeAuto takes a raw socket when the process may open one
	// (CAP_NET_RAW) and a ping socket otherwise.
	ModeAuto Mode = iota
	// ModeRaw is a SOCK_RAW ICMP socket: any identifier, every ICMP error.
	ModeRaw
	// ModePing is a SOCK_DGRAM ICMP socket (a "ping socket"): no
	// privilege, only for groups in net.ipv4.ping_group_range; the kernel
	// picks the identifier.
	ModePing
)

func (m Mode) String() string {
	switch m {
	case ModeRaw:
		return "raw"
	case ModePing:
		return "ping"
	}
	return "auto"
}

// ListenConfig says how to open the socket of an echo run. Nil means a
// socket of the best mode available with the kernel's defaults.
type ListenConfig struct {
	Mode Mode
	// IPv6 opens an ICMPv6 socket for IPv6 targets; TTL is then the hop
	// limit, TOS the traffic class, and Source may carry a zone.
	IPv6      bool
	Interface string     // SO_BINDTODEVICE; empty means any
	Source    netip.Addr // local address; zero means any
	TTL       int        // 0 keeps the kernel default
	TOS       int        // 0 keeps the kernel default
	// DontFragment is "do", "dont" or "want" (IP_MTU_DISCOVER, ip(7),
	// as iputils -M); empty keeps the kernel default.
	DontFragment string
	Mark         uint32 // SO_MARK; 0 leaves it unset
	// ReceiveBuffer is the socket receive buffer in bytes, for sweeps whose
	// replies arrive faster than they are read; 0 keeps the default.
	ReceiveBuffer int
	// SendStamps asks for the kernel's software send stamp of every
	// request (SO_TIMESTAMPING), each keyed by its probe (SCM_TS_OPT_ID,
	// Linux 6.13; on older kernels it is ignored): a Monitor then takes
	// a round trip from the time the request left rather than from the
	// time taken before the write, which on a busy machine also counts
	// the system call's way into the kernel and whatever delayed it.
	// The stamps come through ReadBatch (icmp.Message.Stamp).
	SendStamps bool
}

// Socket is the opened socket of an echo run, with the identifier its
// requests carry (on a ping socket its local port, which the kernel
// writes there anyway).
type Socket struct {
	Conn Conn
	ID   uint16
	Mode Mode // ModeRaw or ModePing
	IPv6 bool // an ICMPv6 socket, for IPv6 targets
}

// ErrNoPermission is matched (errors.Is) by the error of Listen when the
// process may open neither a raw nor a ping socket.
var ErrNoPermission = errors.New("icmp: no permission for a raw or a ping socket")
