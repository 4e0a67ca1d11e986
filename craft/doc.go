// Package craft builds packets from gopacket layers and decodes bytes back
// into layers.
//
// Lengths and checksums are computed unless the caller sets them on
// purpose: a lab tool must be able to send a wrong checksum or a lying
// length. Building writes into a reused buffer and decoding uses a
// gopacket.DecodingLayerParser, so neither allocates per packet in steady
// state. Summaries follow tcpdump's one-line style.
//
// craft knows nothing of sockets: sending is package raw's job.
package craft
