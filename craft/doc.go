// Package craft builds packets from gopacket layers, decodes bytes back
// into layers with a verdict on each checksum, and prints one-line
// summaries of packets in tcpdump's words, for tools that send and receive
// below the transport layer. It knows nothing of sockets: sending is
// package raw's job. The packet spec language of `rawkit send`, which
// builds its packets with craft, is package craft/spec.
//
// # Building
//
// A Builder serializes layers, outermost first, into a buffer it reuses:
//
//	b := craft.NewBuilder()
//	pkt, err := b.Build(ip, udp, gopacket.Payload(data))
//
// Every header field of layers.IPv4, ICMPv4, UDP and TCP is written as set,
// except the computed ones (see Field): IPv4 version, IHL, total length,
// protocol and header checksum, option lengths, the ICMP checksum, UDP length
// and checksum, TCP data offset and checksum, and the EtherType. A UDP or
// TCP checksum is computed over the pseudo-header of the nearest IPv4 layer
// before it, with no SetNetworkLayerForChecksum call. Computed values are
// stored back into the layers.
//
// A lab must be able to send a bad checksum or a lying length, so any
// computed field can be kept as set, per layer, by wrapping the layer in a
// Literal:
//
//	b.Build(&craft.Literal{Layer: ip, Keep: craft.IPv4Checksum | craft.IPv4Length}, icmp)
//
// A packet spec parser (package craft/spec) records which fields its user
// wrote and wraps each layer with them: unset fields are computed, set
// ones kept literally.
//
// ICMPv4Packet, UDPPacket and TCPPacket hold the layers of the common
// packets by value; BuildICMPv4, BuildUDP and BuildTCP build them without
// allocating, so a sender keeps one and changes the sequence number or the
// payload between packets.
//
// # IPv6
//
// layers.IPv6, ICMPv6 and ICMPv6Echo are written by craft too: the version,
// payload length and next header are computed, and the ICMPv6, UDP and TCP
// checksums use the IPv6 pseudo-header (RFC 8200 section 8.1), with the
// final address of a routing header when segments are left. Extension
// headers are craft's own layers, IPv6HopByHop, IPv6Routing, IPv6Fragment and
// IPv6Destination, placed between the IPv6 header and what it carries; each
// one's next header and length are computed unless kept. ICMPv6 messages
// other than echo are an ICMPv6 header followed by their body: gopacket's ND
// layers (ICMPv6NeighborSolicitation...) or bytes, or one ICMPv6Message
// layer holding both.
//
//	p := craft.NewICMPv6Echo(src, dst, id, seq, payload)
//	pkt, err := b.BuildICMPv6(p) // also BuildUDPv6 and BuildTCPv6
//
// Out-of-range fields (IPv4 flags over 7, a fragment offset over 8191, a
// kept IHL or data offset over 15), options over 40 bytes, addresses that are
// not IPv4 (not IPv6 in an IPv6 header), flow labels over 20 bits and
// packets over 65,535 bytes are errors that name the value.
//
// # Decoding
//
// A Decoder decodes raw IP or Ethernet frames into its layer fields with a
// gopacket.DecodingLayerParser, allocating nothing per packet, and gives a
// verdict on each checksum: the IPv4 header's, ICMP's, and UDP's and TCP's
// with the pseudo-header (Decoder.Checksum). IPv6 (alone or after Ethernet
// type 0x86dd) decodes the same way, walking the extension headers
// (Decoder.IPv6Extensions), and ICMPv6's checksum is judged with the IPv6
// pseudo-header. Malformed and truncated packets
// decode as far as they can and report an error; no input makes it panic.
//
// # Summaries
//
// Summary and AppendSummary print one line per packet in the words of
// tcpdump -n (4.99), without the timestamp:
//
//	IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64
//	IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 1024, options [mss 1460], length 0
//
// The golden lines in testdata/summaries.txt were recorded from tcpdump and
// are re-checked against it when it is installed.
//
// BUG(craft): Summaries do not decode application protocols (tcpdump prints
// DNS on port 53, HTTP on 80 and more), nor GRE, IGMP, MPTCP options, IPv6
// routing headers, ICMPv6 router renumbering, node information and RPL, nor
// 802.3 LLC frames: these print as tcpdump prints a protocol it does not
// know. The Decoder decodes ICMPv6 neighbour discovery bodies as Payload,
// and IPv6 jumbograms not at all.
package craft
