package traceroute

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// traceDoc is what `rawkit help traceroute` prints and what the manual
// page and completions are generated from (scripts/gendocs.sh).
var traceDoc = cli.Doc{
	Synopsis: []string{"rawkit traceroute [options] HOST [PACKETLEN]"},
	Description: `Trace the route to HOST (a name, an IPv4 or an IPv6 address, fe80::1%eth0
for a link-local one) with probes of increasing TTL (hop limit), all sent
at once (none beyond a destination that has answered), Paris mode by
default: every probe of a trace has the same flow fields (IPv6: and one
flow label), so load balancers keep it on one path.`,
	Operand: "host",
	Options: []cli.Option{
		{Names: []string{"-I", "--icmp"}, Help: "ICMP echo probes"},
		{Names: []string{"-T", "--tcp"}, Help: "TCP SYN probes (port 80 unless -p)"},
		{Names: []string{"-U", "--udp"}, Help: "UDP probes (the default)"},
		{Names: []string{"-M", "--method"}, Arg: "METHOD", Help: "udp, icmp or tcp", Default: "udp", Values: []string{"udp", "icmp", "tcp", "default"}},
		{Names: []string{"-p", "--port"}, Arg: "PORT", Help: "destination port (UDP: 33434; TCP: 80)", Range: "1-65535"},
		{Names: []string{"-f", "--first"}, Arg: "FIRST_TTL", Help: "first TTL", Default: "1", Range: "1-255"},
		{Names: []string{"-m", "--max-hops"}, Arg: "MAX_TTL", Help: "max TTL", Default: "30", Range: "1-255"},
		{Names: []string{"-q", "--queries"}, Arg: "NQUERIES", Help: "probes per hop", Default: "3", Range: "1-10"},
		{Names: []string{"-w", "--wait"}, Arg: "MAX[,HERE,NEAR]", Help: "wait at most MAX seconds for a probe (5), or HERE times the round trip of its hop (3), or NEAR times a later hop's (10); a lone MAX turns HERE and NEAR off", Range: "MAX 0.000001-86400, factors 0-86400"},
		{Names: []string{"-N", "--sim-queries"}, Arg: "SQUERIES", Help: "bound on probes in flight (default: all at once)", Range: "1-2147483647"},
		{Names: []string{"-n"}, Help: "no reverse DNS"},
		{Names: []string{"-e"}, Help: "show ICMP extensions (RFC 4950 MPLS labels)"},
		{Names: []string{"-s", "--source"}, Arg: "SOURCE", Help: "source address"},
		{Names: []string{"-i", "--interface"}, Arg: "INTERFACE", Help: "send through INTERFACE", Complete: "interface"},
		{Names: []string{"-t", "--tos"}, Arg: "TOS", Help: "type of service byte (IPv6: traffic class)", Range: "0-255"},
		{Names: []string{"-4", "-6"}, Help: "IPv4 or IPv6 only (default: the host's family; names resolve to IPv4 first)"},
		{Names: []string{"-F"}, Help: "set don't fragment"},
		{Names: []string{"-z"}, Arg: "SENDWAIT", Help: "accepted for compatibility; probes are not spaced", Range: "0-1000"},
		{Names: []string{"--mtu"}, Help: "discover the path MTU (implies -F, one probe at a time)"},
		{Names: []string{"--classic"}, Help: "vary the flow per probe: the destination port (UDP), the checksum (ICMP), the source port (TCP)"},
		{Names: []string{"--paris"}, Help: "keep the flow of every probe the same (the default; undoes --classic)"},
		{Names: []string{"--json"}, Help: "one JSON object per hop and a summary"},
		{Names: []string{"-V"}, Help: "print the version and exit"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
		{Arg: "PACKETLEN", Help: "IP packet length", Default: "60, IPv6 80", Range: "from the method's headers to 65000"},
	},
	Exit: "0 when the destination answered, 1 when not, 2 on errors.",
	Examples: []cli.Example{
		{Command: "sudo rawkit traceroute -n 10.0.4.2", Text: "UDP probes in Paris mode, addresses only."},
		{Command: "sudo rawkit traceroute -T -p 443 example.net", Text: "TCP SYN probes to port 443; the local kernel resets every SYN-ACK."},
		{Command: "sudo rawkit traceroute -e -I 2001:db8::1", Text: "ICMP echo probes over IPv6, with MPLS label stacks."},
		{Command: "sudo rawkit traceroute --mtu -n 10.0.4.2", Text: "Discover the path MTU as tracepath does."},
	},
	Privileges: `Every method needs CAP_NET_RAW (root, sudo, or setcap cap_net_raw+ep on the
binary): probes are matched to the ICMP errors a raw socket receives.
Once its sockets are open, traceroute drops every capability, and under
sudo becomes the invoking user again, before it sends a probe; a drop that
fails stops it with status 2.`,
	Peer: "traceroute(8)",
	Differences: `Flags, output, annotations (!H !N !P !X ...) and exit statuses are those of
Linux traceroute; jc --traceroute parses both alike. rawkit sends the probes
of every TTL at once (-N bounds them) and none beyond a destination that has
answered; Paris mode is the default (--classic for traceroute's varying
flows); round trips run from the kernel's send stamp to its receive stamp;
--mtu works as tracepath; --json prints one object per hop. -z is accepted
but probes are not spaced.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-ping(1)", "traceroute(8)", "tracepath(8)", "raw(7)", "capabilities(7)"},
}
