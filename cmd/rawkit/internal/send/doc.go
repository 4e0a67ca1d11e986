package send

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// sendDoc is what `rawkit help send` prints before the spec reference,
// and what the manual page and completions are generated from
// (scripts/gendocs.sh).
var sendDoc = cli.Doc{
	Synopsis: []string{"rawkit send SPEC [options]"},
	Description: `Build the packets SPEC describes and send them through a raw socket with
the IP header included (root or CAP_NET_RAW), as scapy's send and sr do:

  rawkit send 'ip(dst=10.0.0.2, ttl=1-5)/icmp(id=1, seq=1)' --wait
  rawkit send 'ip(dst=10.0.0.2)/tcp(dport=[22,80,443], flags=S)' --wait=1s
  rawkit send -c 500000 --rate 0 'ip(dst=127.0.0.1)/icmp()'`,
	Options: []cli.Option{
		{Names: []string{"-c"}, Arg: "COUNT", Help: "send the packets COUNT times", Default: "1"},
		{Names: []string{"--rate"}, Arg: "PPS", Help: "at most PPS packets per second; 0 is as fast as possible, in sendmmsg batches (from up to 4 sockets at once for 65536 packets or more, without -w: their batches may then interleave)", Default: "0"},
		{Names: []string{"-i"}, Arg: "INTERVAL", Help: "time between packets: seconds (0.5) or a duration (200ms); not with --rate"},
		{Names: []string{"-I"}, Arg: "IFACE", Help: "send and receive through this interface only", Complete: "interface"},
		{Names: []string{"--wait"}, Arg: "TIMEOUT", OptionalArg: true, Help: "receive the answers to each packet until TIMEOUT after the last send, or until every packet has one: ICMP replies by identifier and sequence, ICMP errors by the datagram they quote, TCP and UDP by addresses and ports", Default: "2s"},
		{Names: []string{"--show"}, Help: "print every field of every layer of each packet"},
		{Names: []string{"--hex"}, Help: "print a hex dump of each packet"},
		{Names: []string{"-w"}, Arg: "FILE", Help: `write the packets as sent to FILE (pcap, raw IPv4); "-" is standard output, and what send prints goes to standard error instead`, Complete: "file"},
		{Names: []string{"--dry-run"}, Help: "build and print the packets; send nothing"},
		{Names: []string{"-h", "--help"}, Help: "print this help and the spec reference, and exit"},
	},
	Notes: `Every field goes out as the spec says. Linux would rewrite a set IPv4
total length or header checksum, and an identification or source
address of 0, in a header-included packet (raw(7)): such packets go out
through a packet socket instead, to the next hop's link-layer address
(from the neighbour table, or asked with ARP).`,
	Exit: `0 when the packets were sent (with --wait: and at least one
was answered), 1 when --wait got no answer, 2 on errors; a bad spec sends
nothing.`,
	Examples: []cli.Example{
		{Command: "sudo rawkit send 'ip(dst=10.0.0.2, ttl=1-5)/icmp(id=1, seq=1)' --wait", Text: "Five echo requests of TTL 1 to 5, and the answers matched to them."},
		{Command: "sudo rawkit send 'ip(dst=10.0.0.2)/tcp(dport=[22,80,443], flags=S)' --wait=1s", Text: "A SYN to three ports; the SYN-ACKs and resets that answer."},
		{Command: "rawkit send --dry-run --show 'ip6(dst=fd00::2)/udp(dport=53)/raw(\"hi\")'", Text: "Build and print every field; send nothing, no privileges needed."},
		{Command: "sudo rawkit send -c 500000 --rate 0 'ip(dst=127.0.0.1)/icmp()'", Text: "Half a million packets as fast as the kernel takes them."},
	},
	Privileges: `Sending needs CAP_NET_RAW (root, sudo, or setcap cap_net_raw+ep on the
binary); --dry-run needs nothing. Once its sockets are open, send drops
every capability, and under sudo becomes the invoking user again, before
the first packet; the -w file is opened after, as that user.`,
	Peer: "scapy and hping3",
	Differences: `Specs read like scapy's layers (ip()/tcp()/raw()) but are a command-line
language, not Python: no loops or callbacks, ranges and lists of field
values instead (ttl=1-5, dport=[22,80]). Answers are matched as scapy's sr
matches them. Unlike hping3, send never fixes a field the spec gives: a
wrong checksum or length goes out as written.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-capture(1)", "raw(7)", "packet(7)", "capabilities(7)"},
}
