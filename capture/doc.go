// Package capture captures packets live and reads and writes capture
// files (pcap and pcapng), in pure Go: no cgo, no libpcap. The filter
// compiler it uses is package capture/filter.
//
// Live capture (Linux) uses an AF_PACKET socket with a TPACKET_V3 ring
// mapped into the process (packet(7)): the kernel fills blocks of packets
// and the reader walks them without a system call per packet, waking in
// the runtime poller when a block is handed over. The filter is attached
// before the socket is bound, so nothing it rejects is ever queued; time
// stamps have nanosecond resolution, and the kernel's drop count is
// available from Stats. On loopback, where the kernel shows every packet
// twice, each packet is recorded once, as it left.
//
// Filters use tcpdump's syntax (pcap-filter(7)); package capture/filter
// compiles them to classic BPF. Config.Filter attaches one to a live
// capture, and the same program runs in user space (filter.Filter) for
// packets read from files.
//
// Files are read and written through io.Reader and io.Writer: pcap in its
// nanosecond variant (PcapWriter), pcapng (PcapngWriter), and either
// format, any byte order and time stamp resolution, with Reader.
// capture never opens paths itself.
package capture
