package capture

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// captureDoc is what `rawkit help capture` prints and what the manual
// page and completions are generated from (scripts/gendocs.sh).
var captureDoc = cli.Doc{
	Synopsis: []string{"rawkit capture [-i IFACE] [-w FILE] [-r FILE] [-c COUNT] [--duration D] [-s SNAPLEN] [-p] [--pcapng] [-n] [EXPRESSION] [OPTIONS]"},
	Description: `Captures packets on IFACE ("any", the default, for all interfaces) or reads
them from FILE (pcap or pcapng), keeps those EXPRESSION selects (tcpdump's
filter syntax, pcap-filter(7)), and prints one line per packet or writes
them to a file. Options may follow the expression, as in tcpdump; after
"--" every word is the expression's. On exit it prints to standard error how many packets were
captured, received by the filter and dropped by the kernel.`,
	Options: []cli.Option{
		{Names: []string{"-i"}, Arg: "IFACE", Help: "interface to capture on", Default: "any", Complete: "interface"},
		{Names: []string{"-r"}, Arg: "FILE", Help: `read packets from FILE instead of capturing ("-" for stdin)`, Complete: "file"},
		{Names: []string{"-w"}, Arg: "FILE", Help: `write packets to FILE instead of printing them ("-" for stdout)`, Complete: "file"},
		{Names: []string{"-c"}, Arg: "COUNT", Help: "stop after COUNT packets"},
		{Names: []string{"--duration"}, Arg: "D", Help: "stop after D (e.g. 10s, 1m)"},
		{Names: []string{"-s"}, Arg: "SNAPLEN", Help: "keep at most SNAPLEN bytes of each packet; 0 is the default", Default: "262144"},
		{Names: []string{"-p"}, Help: "put the interface into promiscuous mode (unlike tcpdump, where -p turns it off: rawkit never turns it on unasked)"},
		{Names: []string{"--pcapng"}, Help: "write pcapng instead of pcap (nanosecond time stamps either way)"},
		{Names: []string{"-n"}, Help: "do not resolve addresses (always the case; for tcpdump habits)"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Notes: "Live capture needs CAP_NET_RAW (root, or setcap cap_net_raw+ep on the binary).",
	Exit:  "0 when the capture or the file ended normally, 2 on errors (a bad filter, an unreadable file).",
	Examples: []cli.Example{
		{Command: "sudo rawkit capture -i eth0 -c 10 'tcp port 80'", Text: "Ten TCP packets to or from port 80, one line each, as tcpdump -n prints them."},
		{Command: "sudo rawkit capture -i any -w out.pcapng --pcapng --duration 30s icmp", Text: "Thirty seconds of ICMP into a pcapng file, owned by the invoking user."},
		{Command: "rawkit capture -r out.pcapng 'host 10.0.0.2 and udp'", Text: "Read a file back through a filter; no privileges needed."},
	},
	Privileges: `Live capture needs CAP_NET_RAW for its AF_PACKET socket (root, sudo, or
setcap cap_net_raw+ep on the binary); reading a file needs nothing. Once
the socket and its ring are set up, capture drops every capability, and
under sudo becomes the invoking user again, before it reads a packet; the
-w file is opened after, so it belongs to that user.`,
	Peer: "tcpdump(1)",
	Differences: `The filter language is tcpdump's (pcap-filter(7)), compiled to the same
classic BPF without libpcap, and lines read as tcpdump -n prints them.
-p turns promiscuous mode on, where tcpdump's -p turns it off: rawkit never
turns it on unasked. Names are never resolved (-n is accepted). -w
writes pcap, or pcapng with --pcapng, with nanosecond time stamps.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-send(1)", "tcpdump(1)", "pcap-filter(7)", "packet(7)"},
}
