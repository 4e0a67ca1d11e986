package icmp

// ICMP types the engines read or write (RFC 792).
const (
	TypeEchoReply     = 0
	TypeDestUnreach   = 3
	TypeSourceQuench  = 4
	TypeRedirect      = 5
	TypeEcho          = 8
	TypeTimeExceeded  = 11
	TypeParameterProb = 12
)

// ICMPv6 types the engines read or write (RFC 4443).
const (
	TypeDestUnreachV6   = 1
	TypePacketTooBigV6  = 2
	TypeTimeExceededV6  = 3
	TypeParameterProbV6 = 4
	TypeEchoV6          = 128
	TypeEchoReplyV6     = 129
)

// ProtocolICMP and ProtocolICMPv6 are IPPROTO_ICMP and IPPROTO_ICMPV6:
// the protocol numbers a quote names, raw sockets are opened with and
// x/net/icmp parses with.
const (
	ProtocolICMP   = 1
	ProtocolICMPv6 = 58
)

const (
	headerLen     = 8  // type, code, checksum and the 4 bytes after them
	ipv6HeaderLen = 40 // a quoted IPv6 datagram's fixed header
)
