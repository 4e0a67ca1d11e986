package raw

import (
	"net/netip"
	"syscall"
	"time"
)

// ErrOrigin says where a queued error came from (ee_origin of struct
// sock_extended_err, ip(7)).
type ErrOrigin uint8

// Origins of queued errors (SO_EE_ORIGIN_*, linux/errqueue.h).
const (
	// ErrOriginNone marks a message that is not a queued error.
	ErrOriginNone ErrOrigin = 0
	// ErrOriginLocal is an error the local stack found, such as a send
	// over the path MTU with DFDo (EMSGSIZE); Info then holds the MTU.
	ErrOriginLocal ErrOrigin = 1
	// ErrOriginICMP is an ICMP error a router or the destination sent
	// about a packet of this socket.
	ErrOriginICMP ErrOrigin = 2
	// ErrOriginICMP6 is an ICMPv6 error a router or the destination
	// sent about a packet of an IPv6 socket (IPV6_RECVERR, ipv6(7)).
	ErrOriginICMP6 ErrOrigin = 3
	// ErrOriginTimestamping is a send stamp of a Config.SendStamps
	// socket: Key and Stamp are set, the message carries no data.
	ErrOriginTimestamping ErrOrigin = 4
)

// ExtendedError is the kernel's account of an error about a packet this
// socket sent, read from its error queue (IP_RECVERR, MSG_ERRQUEUE; the
// struct sock_extended_err of ip(7)).
type ExtendedError struct {
	// Origin is where the error came from; ErrOriginNone for an
	// ordinary message.
	Origin ErrOrigin
	// Errno is the error the kernel maps it to, such as EHOSTUNREACH
	// for an ICMP destination unreachable.
	Errno syscall.Errno
	// Type and Code are the ICMP error's type and code (ErrOriginICMP).
	Type, Code int
	// Info is the next-hop MTU of "fragmentation needed" (ICMP type 3
	// code 4), of ICMPv6 "packet too big" and of a local EMSGSIZE; 0
	// otherwise.
	Info uint32
	// Offender is who reported the error: the ICMP error's sender; the
	// zero Addr when the kernel gives none (SO_EE_OFFENDER).
	Offender netip.Addr
	// Key is the key of the send a stamp (ErrOriginTimestamping) is of
	// (ee_data): SendOptions.StampKey, or the count of sends.
	Key uint32
	// Stamp is, for ErrOriginTimestamping, when the packet left, by the
	// software clock (that of Message.Received).
	Stamp time.Time
}
