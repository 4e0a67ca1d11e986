package lab

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// labDoc is what `rawkit help lab` prints and what the manual page and
// completions are generated from (scripts/gendocs.sh).
var labDoc = cli.Doc{
	Synopsis: []string{
		"rawkit lab up [--routers N] [--delay D] [--loss P%] [--ecmp] [--mtu HOP:SIZE]",
		"             [--mpls HOP:LABEL[/LABEL...]] [--name NAME]",
		"rawkit lab exec [--name NAME] NODE -- COMMAND [ARGS...]",
		"rawkit lab down [--name NAME]",
		"rawkit lab status [--name NAME]",
	},
	Description: `A network lab in namespaces for hands-on experiments (root needed): a
client, N routers and a server in a line (10.0.K.0/24 for link K, the
client 10.0.1.1, router I 10.0.I.2 toward the client, the server
10.0.N+1.2), or with --ecmp a diamond whose entry router balances flows
over two branches.`,
	Words: []string{"up", "exec", "down", "status"},
	Options: []cli.Option{
		{Names: []string{"--routers"}, Arg: "N", Help: "routers in the chain", Default: "3", Range: "1-32"},
		{Names: []string{"--delay"}, Arg: "D", Help: "delay added by each router to what it receives, each way (so 3 routers and 10ms make a 60 ms round trip)"},
		{Names: []string{"--loss"}, Arg: "P%", Help: "packets the first router drops on the way to the server"},
		{Names: []string{"--ecmp"}, Help: "an ECMP diamond (client, entry, up, down, exit, server)"},
		{Names: []string{"--mtu"}, Arg: "HOP:SIZE", Help: "MTU of the link after hop HOP (0 is the client's link)"},
		{Names: []string{"--mpls"}, Arg: "HOP:LABEL[/LABEL...]", Help: "the router at hop HOP (with --ecmp: 1 entry, 2 up and down, 3 exit) answers as an MPLS router: its time exceeded messages carry this label stack (RFC 4950), outermost first, for traceroute -e; repeat for more hops"},
		{Names: []string{"--name"}, Arg: "NAME", Help: "several labs can be up at once", Default: `"lab"`},
	},
	Notes: `NODE is client, server, r1..rN (or entry, up, down, exit with --ecmp).
The delay is kept by a background 'rawkit lab' process that 'lab down'
stops; the namespaces are named rklab-NAME-NODE.`,
	Exit: "0 when the subcommand did its work (exec: the command's own status), 2 on errors.",
	Examples: []cli.Example{
		{Command: "sudo rawkit lab up --routers 3 --delay 10ms", Text: "Client, three routers and a server; a 60 ms round trip end to end."},
		{Command: "sudo rawkit lab exec client -- rawkit traceroute -n 10.0.4.2", Text: "Run a command in the client's namespace."},
		{Command: "sudo rawkit lab up --name ecmp --ecmp --mpls 2:100", Text: "A second lab: an ECMP diamond whose middle routers answer with an MPLS label."},
		{Command: "sudo rawkit lab down --name ecmp", Text: "Remove that lab's namespaces and its background process."},
	},
	Privileges: `lab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): it makes network
namespaces, links, routes and iptables rules, and keeps those privileges
by design. It deletes only the namespaces it recorded.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-traceroute(1)", "ip-netns(8)", "iptables(8)"},
}
