package ping

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// pingDoc is what `rawkit help ping` prints and what ping's manual page
// and completions are generated from (scripts/gendocs.sh).
var pingDoc = cli.Doc{
	Synopsis: []string{"rawkit ping [options] HOST..."},
	Description: `Send ICMP echo requests, as iputils ping does, to one host or, fping-style,
to many: HOST is a name, an IPv4 or IPv6 address (fe80::1%eth0 for a
link-local one) or a CIDR range (127.0.0.0/20, fd00::/120; IPv6 prefixes
/112 and longer). The targets of each family share one socket: raw with
CAP_NET_RAW, otherwise a ping socket where net.ipv4.ping_group_range
allows it. A flood (-f, -i 0) takes targets of one family.`,
	Operand: "host",
	Options: []cli.Option{
		{Names: []string{"-c"}, Arg: "COUNT", Help: "stop after COUNT probes per target (with -w: COUNT answers)", Range: "1-2147483647"},
		{Names: []string{"-i"}, Arg: "SECONDS", Help: "interval between probes to a target; below 0.002 only for root", Default: "1", Range: "0-1000000"},
		{Names: []string{"-W"}, Arg: "SECONDS", Help: "time to wait for a reply", Default: "10", Range: "0.001-1000000"},
		{Names: []string{"-w"}, Arg: "SECONDS", Help: "stop after SECONDS whatever was sent or received", Range: "0.001-1000000"},
		{Names: []string{"-s"}, Arg: "SIZE", Help: "payload bytes; below 16, no times are printed", Default: "56", Range: "0-65507, 0-65527 for IPv6"},
		{Names: []string{"-t"}, Arg: "TTL", Help: "IP time to live, IPv6 hop limit", Range: "1-255"},
		{Names: []string{"-Q"}, Arg: "TOS", Help: "IP type of service byte, IPv6 traffic class, decimal or 0x hex", Range: "0-255"},
		{Names: []string{"-M"}, Arg: "MODE", Help: "path MTU discovery: do, dont or want", Values: []string{"do", "dont", "want"}},
		{Names: []string{"-I"}, Arg: "IF|ADDR", Help: "send from this interface or source address", Complete: "interface"},
		{Names: []string{"-l"}, Arg: "PRELOAD", Help: "send PRELOAD probes at once at the start", Default: "1", Range: "1-65536"},
		{Names: []string{"-p"}, Arg: "PATTERN", Help: "fill the payload with up to 16 bytes given in hex (-p ff00), repeated; replies are checked against it"},
		{Names: []string{"-f"}, Help: "flood: next probe as soon as a reply comes, or every 10 ms (root only)"},
		{Names: []string{"-q"}, Help: "quiet: only the summary"},
		{Names: []string{"-n"}, Help: "print addresses, not names"},
		{Names: []string{"-D"}, Help: "print a timestamp (the kernel's receive time) before each line"},
		{Names: []string{"-O"}, Help: "report probes with no answer yet"},
		{Names: []string{"-a"}, Help: "audible: ring the bell on each reply"},
		{Names: []string{"-4", "-6"}, Help: "IPv4 or IPv6 only (default: the family of the addresses; names resolve to IPv4 first)"},
		{Names: []string{"--rate"}, Arg: "PPS", Help: "cap the whole run at PPS probes per second", Range: "0.000001-1000000000"},
		{Names: []string{"--json"}, Help: "one JSON object per event and a summary, on stdout"},
		{Names: []string{"--mode"}, Arg: "MODE", Help: "socket: auto, raw or ping", Default: "auto", Values: []string{"auto", "raw", "ping"}},
		{Names: []string{"-V"}, Help: "print the version and exit"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Exit: `0 when replies came (every target answered, with several),
1 when none came (or, with -w, fewer than COUNT), 2 on errors.`,
	Examples: []cli.Example{
		{Command: "sudo rawkit ping -c 3 127.0.0.1", Text: "Three probes, printed as iputils prints them."},
		{Command: "rawkit ping -qn -c 5 -i 0.2 host 10.0.0.1", Text: "Two targets on one socket, only the summary."},
		{Command: "sudo rawkit ping -c 1 127.0.0.0/20", Text: "Sweep a range: a line per target, then how many are alive."},
		{Command: "rawkit ping --json -c 3 ::1", Text: "One JSON object per event, then a summary."},
	},
	Privileges: `A raw ICMP socket needs CAP_NET_RAW (root, sudo, or setcap
cap_net_raw+ep on the binary). Without it ping uses a ping socket,
open to the groups in net.ipv4.ping_group_range; the kernel then picks the
echo identifier. A flood and intervals below 0.002
seconds are for root only. Once its sockets are open, ping drops every
capability, and under sudo becomes the invoking user again, before it
sends a probe; a drop that fails stops it with status 2.`,
	Peer: "ping(8) of iputils",
	Differences: `Output, statistics and exit statuses are those of iputils; jc --ping parses
both alike. rawkit ping takes many hosts and CIDR ranges in one run
(fping-style), mixes IPv4 and IPv6 targets, caps a run with --rate, and
prints JSON with --json. -D prints the kernel's receive time. A -p pattern
longer than 16 bytes is an error (iputils cuts it short). Every reply is
matched by identifier, sequence, a per-run token and a probe number, so
concurrent runs never count each other's replies.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-traceroute(1)", "ping(8)", "icmp(7)", "raw(7)", "capabilities(7)"},
}
