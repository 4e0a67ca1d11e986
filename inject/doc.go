// Package inject sends packets built from packet specs (spec.Parse)
// through a header-included raw socket and matches what comes back to
// what was sent, as scapy's send, sr and sr1 do. It is the library under
// `rawkit send`.
//
// Parse compiles a spec, asking the kernel for the source address of each
// destination (Source). Run sends the packets, paced or in sendmmsg(2)
// batches, and with Config.Wait receives on raw ICMP, TCP and UDP sockets
// and hands each answer to the packet it answers, found by a Matcher: ICMP
// replies by identifier and sequence number, ICMP errors by the datagram
// they quote (icmp.ParseError), TCP segments by addresses, ports and
// acknowledgment number, UDP datagrams by addresses and ports.
//
// Linux fills the IPv4 total length and header checksum of every packet
// sent with the header included, and the identification and source when
// they are zero (raw(7)). A packet whose header those would change (a
// lying length, a wrong checksum, an identification or source of zero)
// goes out through a packet socket instead (AF_PACKET, SOCK_DGRAM,
// packet(7)), as scapy's does on Linux: to the interface of the kernel's
// route, addressed to the next hop's link-layer address from the
// neighbour table or, when it has none, from ARP requests (3, 1 s
// apart). So every field reaches the wire as built, a wrong transport
// checksum or a fragment offset included.
//
// IPv6 packets (ip6(...) specs) go out through an IPV6_HDRINCL socket,
// which sends them as they are: no field needs the packet socket. The
// kernel hands an IPv6 raw socket no IPv6 header, so each answer gets one
// rebuilt from the socket's metadata (source, destination, hop limit,
// traffic class; flow label 0, no extension headers) before it is
// matched, ICMPv6 errors by the datagram they quote (icmp.ParseError6).
//
// The kernel of the sending host does not know of the connections a spec
// opens: it answers a SYN-ACK to a crafted SYN with a RST of its own.
package inject
