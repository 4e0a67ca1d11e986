package mtr

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// commandDoc is what `rawkit help mtr` prints and what mtr's manual page and
// completions are generated from (scripts/gendocs.sh).
var commandDoc = cli.Doc{
	Synopsis: []string{
		"rawkit mtr [options] HOST...",
		"rawkit mtr --replay FILE [report options]",
	},
	Description: `Probe the path to each HOST round after round, as mtr does, and keep per
hop (TTL) and per responder: sent, received, loss (probes in flight left
out), last, average, best, worst, standard deviation and mtr's jitter
columns. On a terminal it shows mtr's screen (keys as mtr's: d display
mode, j jitter fields, p or space pause, r reset, n DNS, e MPLS, o field
order, ? help, q quit); with a report option it prints mtr 0.95's report
after COUNT rounds. Paris mode: each flow's probes keep their flow fields,
so load balancers keep them on one path, and --flows probes several flows
so every ECMP branch gets its own line. A hop whose loss does not continue
downstream is flagged as rate limiting its ICMP answers, not losing
packets; the first hop whose quote shows a rewritten TOS or rewritten
addresses (NAT) is flagged. Several HOSTs are probed at once; the report
modes print one report per HOST, in order. MTR_OPTIONS is read before the
command line, as mtr reads it.`,
	Operand: "host",
	Options: []cli.Option{
		{Names: []string{"-r", "--report"}, Help: "print a report after COUNT rounds, in mtr 0.95's layout"},
		{Names: []string{"-w", "--report-wide"}, Help: "a report whose names are not cut"},
		{Names: []string{"-j", "--mtr-json"}, Help: "mtr's JSON report (mtr's --json)"},
		{Names: []string{"-C", "--csv"}, Help: "mtr's CSV report"},
		{Names: []string{"-x", "--xml"}, Help: "mtr's XML report"},
		{Names: []string{"-l", "--raw"}, Help: "mtr's raw stream"},
		{Names: []string{"--json"}, Help: "rawkit's report: statistics per responder and per flow, flags, start and end times"},
		{Names: []string{"--jsonl"}, Help: "rawkit's versioned event stream (probe, round, path_change, summary), one JSON object a line"},
		{Names: []string{"--record"}, Arg: "FILE", Help: "write the event stream to FILE as well", Complete: "file"},
		{Names: []string{"--replay"}, Arg: "FILE", Help: "rebuild the statistics of a recording, probing nothing: its report, or on a terminal its screen", Complete: "file"},
		{Names: []string{"-c", "--report-cycles"}, Arg: "COUNT", Help: "rounds to run (without it the screen runs until q)", Default: "10 in report modes", Range: "1-2147483647"},
		{Names: []string{"-i", "--interval"}, Arg: "SECONDS", Help: "time between rounds", Default: "1"},
		{Names: []string{"-Z", "--timeout"}, Arg: "SECONDS", Help: "longest wait for a probe's answer", Default: "5"},
		{Names: []string{"-n", "--no-dns"}, Help: "print addresses, not names"},
		{Names: []string{"-b", "--show-ips"}, Help: "print names and addresses"},
		{Names: []string{"-o", "--order"}, Arg: "FIELDS", Help: "the columns, in mtr's letters LDRSNBAWVGJMXI and space", Default: "\"LS NABWV\""},
		{Names: []string{"-e", "--mpls"}, Help: "show MPLS label stacks (RFC 4950)"},
		{Names: []string{"-s", "--psize"}, Arg: "BYTES", Help: "IP packet size", Default: "64"},
		{Names: []string{"-f", "--first-ttl"}, Arg: "TTL", Help: "first TTL probed", Default: "1", Range: "1-255"},
		{Names: []string{"-m", "--max-ttl"}, Arg: "TTL", Help: "largest TTL probed", Default: "30", Range: "1-255"},
		{Names: []string{"-Q", "--tos"}, Arg: "TOS", Help: "IP type of service byte, IPv6 traffic class", Range: "0-255"},
		{Names: []string{"-I", "--interface"}, Arg: "IF", Help: "send through this interface", Complete: "interface"},
		{Names: []string{"-a", "--address"}, Arg: "ADDR", Help: "source address"},
		{Names: []string{"-u", "--udp"}, Help: "UDP probes"},
		{Names: []string{"-T", "--tcp"}, Help: "TCP SYN probes"},
		{Names: []string{"--icmp"}, Help: "ICMP echo probes (the default)"},
		{Names: []string{"--method"}, Arg: "METHOD", Help: "probe method", Default: "icmp", Values: []string{"udp", "icmp", "tcp"}},
		{Names: []string{"-P", "--port"}, Arg: "PORT", Help: "destination port", Default: "33434 (UDP), 80 (TCP)", Range: "1-65535"},
		{Names: []string{"--flows"}, Arg: "N", Help: "probe N flows at once, each with its own flow fields", Default: "1", Range: "1-64"},
		{Names: []string{"--classic"}, Help: "vary the flow per probe, as mtr's UDP does (branches mix)"},
		{Names: []string{"--paris"}, Help: "keep each flow's fields constant (the default)"},
		{Names: []string{"--rate"}, Arg: "PPS", Help: "at most PPS probes a second over the whole run"},
		{Names: []string{"-z", "--aslookup"}, Help: "AS numbers: not supported (refused with one line)"},
		{Names: []string{"-4", "--inet"}, Help: "IPv4 only"},
		{Names: []string{"-6", "--inet6"}, Help: "IPv6 only"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Exit: `0 when every HOST answered, 1 when one did not, 2 on errors.`,
	Examples: []cli.Example{
		{Command: "sudo rawkit mtr 10.0.4.2", Text: "The screen, one line per responder under its TTL, until q."},
		{Command: "sudo rawkit mtr -n -r -c 20 10.0.4.2", Text: "mtr's report after 20 rounds."},
		{Command: "sudo rawkit mtr -u --flows 8 -r 10.0.4.2", Text: "Eight UDP flows: each ECMP branch on its own line, with the flows through it."},
		{Command: "sudo rawkit mtr --record run.jsonl -c 60 -r 10.0.4.2 && rawkit mtr --replay run.jsonl -r", Text: "Keep a run's events and print its report again later."},
	},
	Privileges: `Raw sockets need CAP_NET_RAW (root, sudo, or setcap cap_net_raw+ep on the
binary). Without it, ICMP and UDP probes go out on ping and UDP sockets,
open to the groups in net.ipv4.ping_group_range, and time-exceeded answers
are read from the socket error queue (IP_RECVERR, as tracepath reads them);
the header says which mode runs. TCP needs raw sockets. Once its sockets are
open mtr drops every capability, and under sudo becomes the invoking user.`,
	Peer: "mtr(8) 0.95",
	Differences: `The reports (-r, -w, -j, -C, -x, -l) are mtr 0.95's, byte for byte where
mtr's layout is fixed. rawkit keeps a line per responder under each TTL
(mtr merges them), probes several flows at once (--flows), flags ICMP rate
limiting, NAT and TOS rewrites, probes several HOSTs in one process, ends a
report when its last round is answered (mtr waits a fixed grace), records
and replays runs, and works without privileges for ICMP and UDP. AS lookup
(-z) is not supported.`,
	SeeAlso: []string{"rawkit-traceroute(1)", "mtr(8)", "tracepath(8)"},
}
