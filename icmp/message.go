package icmp

import (
	"net/netip"
	"time"
)

// Message is one received ICMP message (on the path engine's TCP socket,
// a TCP segment): both engines' sockets read into it.
type Message struct {
	Buf      []byte     // the caller's buffer
	Data     []byte     // the ICMP message (no IP header); aliases Buf
	Src      netip.Addr // who sent it
	TTL      int        // the IP TTL it arrived with; -1 when unknown
	Received time.Time  // the kernel's receive time; zero when the socket has none
	// Queued is set on an ICMP error that the kernel reported on a ping
	// socket's error queue (IP_RECVERR, icmp(7)) rather than as a
	// packet: Data is then the echo request it quotes and Src its sender.
	Queued QueuedError
	// Drops is the socket's count of packets the kernel dropped for want
	// of receive buffer when it queued this one (SO_RXQ_OVFL, socket(7));
	// 0 when none had been or the socket does not say.
	Drops uint32
	// Stamp is set on a send stamp rather than a received message: the
	// kernel's time for a request the socket sent (SO_TIMESTAMPING,
	// from the error queue); Data is then empty.
	Stamp SendStamp
}

// SendStamp is the kernel's software time for a packet a socket sent,
// and the key that names the send.
type SendStamp struct {
	Valid bool
	Key   uint32
	Time  time.Time
}

// QueuedError is what the kernel tells of an ICMP error on a ping
// socket's error queue (struct sock_extended_err, ip(7)).
type QueuedError struct {
	Valid      bool       // the message is a queued error
	Type, Code int        // the ICMP error's type and code
	Info       uint32     // the next-hop MTU of "fragmentation needed"
	Dst        netip.Addr // the destination of the quoted request
}
