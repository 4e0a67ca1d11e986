package endpoint

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// networks are the first operand of serve and connect.
var networks = []string{"tcp", "udp", "unix", "unixgram"}

// serveDoc and connectDoc are what `rawkit help serve` and `rawkit help
// connect` print, and what their manual pages and completions are
// generated from (scripts/gendocs.sh).
var serveDoc = cli.Doc{
	Synopsis: []string{"rawkit serve tcp|udp|unix|unixgram ADDRESS [options]"},
	Description: `Serve ADDRESS (HOST:PORT, or a socket path for unix and unixgram; port 0
picks a free port) until SIGINT or SIGTERM, then stop accepting, let open
connections finish for up to --drain, and print the counters.`,
	Words: networks,
	Options: []cli.Option{
		{Names: []string{"--mode"}, Arg: "M", Help: "echo (RFC 862), discard (863), chargen (864), daytime (867) or fixed (send --reply)", Default: "echo", Values: []string{"echo", "discard", "chargen", "daytime", "fixed"}},
		{Names: []string{"--reply"}, Arg: "TEXT", Help: "send TEXT once per connection, or per datagram; implies fixed"},
		{Names: []string{"--max-conns"}, Arg: "N", Help: "serve N connections at most; more are reset at once (0: no limit)"},
		{Names: []string{"--idle"}, Arg: "D", Help: "close a connection idle for D, such as 30s (0: never)"},
		{Names: []string{"--max-size"}, Arg: "N", Help: "streams: bytes read at once (default 65536); datagrams: longer ones are dropped and counted (default 65535)"},
		{Names: []string{"--drain"}, Arg: "D", Help: "how long open connections may finish after a signal; a second signal closes at once", Default: "5s"},
		{Names: []string{"--json"}, Help: "print events and counters as JSON, one object per line"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Exit: "0 when stopped by a signal, 2 on errors (an address that cannot be bound).",
	Examples: []cli.Example{
		{Command: "rawkit serve tcp 127.0.0.1:7007", Text: "An RFC 862 echo server; Ctrl-C prints its counters."},
		{Command: "rawkit serve udp :9000 --mode discard --json", Text: "A UDP discard server that prints JSON events."},
		{Command: "rawkit serve unix /tmp/echo.sock --mode fixed --reply 'hello'", Text: "A unix socket that answers every connection with hello."},
	},
	Privileges: `serve needs no privilege but for a port below 1024 (CAP_NET_BIND_SERVICE,
or root). It drops every capability once listening (a unix socket: before
binding, so its file belongs to the invoking user).`,
	Peer:        "nc(1) and inetd's internal services",
	Differences: `Where nc -l serves one peer and copies it to the terminal, serve runs the classic test services (echo, discard, chargen, daytime) for any number of connections, bounds them (--max-conns, --idle, --max-size), drains them on a signal, and counts bytes and datagrams.`,
	SeeAlso:     []string{"rawkit(1)", "rawkit-connect(1)", "nc(1)"},
}

var connectDoc = cli.Doc{
	Synopsis: []string{
		"rawkit connect tcp|udp|unix|unixgram ADDRESS [options]",
		"rawkit connect tcp|udp|unix|unixgram ADDRESS --echo-test N [--size S] [--concurrency C] [options]",
	},
	Description: `Send standard input to ADDRESS and write what comes back to standard
output. At the end of input a stream is half-closed and read until the
peer closes; on UDP each read of input is one datagram, and replies are
read for --read-timeout (default 1s) after the input ends.

With --echo-test, send N messages on each of C connections to an echo
server, check every echoed byte, and report round trips per second,
latency percentiles, mismatches and lost datagrams.`,
	Words: networks,
	Options: []cli.Option{
		{Names: []string{"--connect-timeout"}, Arg: "D", Help: "give up connecting after D", Default: "10s"},
		{Names: []string{"--read-timeout"}, Arg: "D", Help: "end when nothing arrives for D (0: wait)"},
		{Names: []string{"--echo-test"}, Arg: "N", Help: "measurement mode: N messages per connection"},
		{Names: []string{"--size"}, Arg: "S|MIN-MAX", Help: "message size in bytes, or sizes varying in a range", Default: "64"},
		{Names: []string{"--concurrency"}, Arg: "C", Help: "connections (UDP sockets) at once", Default: "1"},
		{Names: []string{"--window"}, Arg: "W", Help: "messages in flight per connection", Default: "1"},
		{Names: []string{"--timeout"}, Arg: "D", Help: "wait D for each echo: later datagrams count as lost, a stream stalled that long fails", Default: "2s"},
		{Names: []string{"--json"}, Help: "print the echo-test report as JSON"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Exit: `0 when the peer closed (every echo intact with --echo-test),
1 when --read-timeout ran out (some echo failed with --echo-test), 2 on errors.`,
	Examples: []cli.Example{
		{Command: "echo hello | rawkit connect tcp 127.0.0.1:7007", Text: "Send a line to an echo server and print what comes back."},
		{Command: "rawkit connect udp 127.0.0.1:7007 --echo-test 10000 --concurrency 4 --window 8", Text: "Measure an echo server: round trips per second, latency percentiles, lost datagrams."},
	},
	Privileges: `connect needs no privilege but to bind a source port below 1024. It drops
every capability once connected (--echo-test: before its first dial).`,
	Peer:        "nc(1)",
	Differences: `Like nc, connect copies standard input to the peer and the answers to standard output, half-closing a stream at the end of input. --echo-test has no nc counterpart: it checks every echoed byte and reports throughput, latency percentiles and losses.`,
	SeeAlso:     []string{"rawkit(1)", "rawkit-serve(1)", "nc(1)"},
}
