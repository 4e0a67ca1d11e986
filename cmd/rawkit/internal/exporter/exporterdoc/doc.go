// Package exporterdoc is the option table of the exporter ([Doc]), apart
// from the exporter itself: the rawkit binary prints it (`rawkit help
// exporter`) and generates rawkit-exporter(1) and the completions from it
// without linking the exporter's HTTP, TLS, YAML and Prometheus modules,
// whose package initialisation every rawkit command would otherwise pay
// for at start. The exporter (package exporter, in the rawkit-exporter
// binary) prints the same table for -h.
//
// It imports nothing but package cli.
package exporterdoc

import "github.com/rawkit/rawkit/cmd/rawkit/internal/cli"

// Summary is the exporter's line in `rawkit help`.
const Summary = "probe targets continuously with ICMP echo, and paths hop by hop, for Prometheus"

// DefaultListen is outside 9100-9999, the range of Prometheus' exporter
// port allocations, which is full: no exporter's default collides.
const DefaultListen = ":10042"

// Binary is the name of the exporter's own program, which `rawkit
// exporter` runs.
const Binary = "rawkit-exporter"

// Doc is what `rawkit help exporter` and `rawkit-exporter -h` print, and
// what rawkit-exporter(1) and the completions are generated from.
var Doc = cli.Doc{
	Source: "cmd/rawkit/internal/exporter/exporterdoc/doc.go",
	Synopsis: []string{
		"rawkit exporter --config.file FILE [--web.listen-address HOST:PORT] [--web.config.file FILE]",
		"rawkit-exporter --config.file FILE [--web.listen-address HOST:PORT] [--web.config.file FILE]",
		"rawkit-exporter --version",
	},
	Description: `Probe every target of FILE with ICMP echo, continuously, and serve the
results to Prometheus. All targets of a family share one socket: raw with
CAP_NET_RAW, otherwise a ping socket where net.ipv4.ping_group_range
allows it (the first line on stderr says which). Privileges are dropped
once the sockets and the listener are open. Runs until SIGINT or SIGTERM;
SIGHUP or POST /-/reload re-reads FILE and its file_sd files.

The exporter is a program of its own, rawkit-exporter, installed next to
rawkit: its HTTP, TLS, YAML and Prometheus libraries stay out of the rawkit
binary, whose other commands would pay for their start-up on every run.
"rawkit exporter ARGS" executes rawkit-exporter ARGS in its place (the
same process, see PRIVILEGES), found next to the rawkit binary first, then
in PATH.

Each path target of FILE's paths: is monitored as rawkit mtr monitors it:
rounds of probes over every TTL up to the destination's, each with its
own sockets, giving per-TTL requests, losses, round trips and responder
counts, and a count of path changes.`,
	Options: []cli.Option{
		{Names: []string{"--config.file"}, Arg: "FILE", Help: "the targets, in YAML as FILE: shows; required", Complete: "file"},
		{Names: []string{"--web.listen-address"}, Arg: "HOST:PORT", Help: "where to serve HTTP; the default is outside the exporters' range 9100-9999, which is all allocated", Default: DefaultListen},
		{Names: []string{"--web.config.file"}, Arg: "FILE", Help: "TLS, client certificates and basic auth, in Prometheus' web configuration format", Complete: "file"},
		{Names: []string{"--web.enable-pprof"}, Help: "also serve Go's runtime profiles (CPU, heap, goroutines) under /debug/pprof/, for measuring the exporter; off by default, as they show its internals to whoever reaches the port"},
		{Names: []string{"--version"}, Help: "print the version and exit (also: rawkit-exporter version)"},
		{Names: []string{"-h", "--help"}, Help: "print this help and exit"},
	},
	Notes: `FILE:

  targets:
    - hosts: [10.0.0.2, db1.example.net, 192.0.2.0/28, fd00::2]
      interval: 1s        # between probes to each target (10ms to 1h)
      timeout: 2s         # unanswered by then: lost (at most 30s)
      size: 56            # payload bytes (16 to 65507)
      tos: 0              # IP TOS, IPv6 traffic class (0-255)
      source: 10.0.0.1    # source address or interface (optional)
      labels: {site: fra1}
  file_sd_configs:        # Prometheus file_sd files (YAML or JSON),
    - files: [targets/*.yml]  # checked for changes every refresh_interval
      refresh_interval: 5s    # (default 5s); the settings above apply too
  rtt_buckets: [0.001, 0.01, 0.1, 1]  # classic buckets (default 100us..26s)
  native_histogram_bucket_factor: 1.1 # native buckets; 0: none
  resolve_interval: 1m    # names are looked up again this often
  paths:                  # monitored hop by hop, as rawkit mtr does
    - hosts: [10.0.0.9, db1.example.net]  # addresses or names, no ranges
      method: icmp        # icmp, udp or tcp (tcp needs CAP_NET_RAW)
      interval: 1s        # between rounds (100ms to 1h)
      timeout: 2s         # a probe unanswered by then is lost (100ms-30s)
      max_ttl: 30         # the highest TTL probed (1 to 64)
      flows: 1            # Paris flows probed at once (1 to 16)
      port: 33434         # udp and tcp only (defaults 33434 and 80)
      labels: {site: fra1}

A CIDR range holds at most 4096 addresses (IPv4 ranges lose their network
and broadcast addresses); a configuration at most 100000 targets and
100000 probes per second; at most 100 path targets, and at most 10000
path probes per second counted as max_ttl x flows / interval each. Label
names target, ip and le are the exporter's, and on paths ttl and method.
A path target has series for TTL 1 up to the TTL its destination answers
at (up to max_ttl while it does not), so at most max_ttl per path. Quote IPv6 addresses that start with a colon ("::1").

HTTP: /metrics, /probe?target=HOST[&count=N] (blackbox_exporter's ICMP
answer, N echoes, 1-20, default 3), /-/healthy, /-/ready, POST /-/reload,
and / (the targets with their loss and RTT over the last 64 probes; the
path targets with each TTL's last responder and loss).`,
	Exit: `0 after SIGINT or SIGTERM, 2 on errors (a bad configuration,
web configuration or listen address: one line, nothing started; for
"rawkit exporter", a rawkit-exporter that cannot be found or run).`,
	Examples: []cli.Example{
		{Command: "sudo rawkit exporter --config.file /etc/rawkit/exporter.yml", Text: "Probe the targets of the file over raw sockets, serve them on port 10042."},
		{Command: "rawkit-exporter --config.file exporter.yml --web.listen-address 127.0.0.1:10042", Text: "As a plain user with net.ipv4.ping_group_range open: ping sockets, served on loopback only."},
		{Command: "curl -s 'http://127.0.0.1:10042/probe?target=192.0.2.1&count=5'", Text: "A blackbox_exporter-style answer from five echoes, with their loss."},
		{Command: "systemctl reload rawkit-exporter", Text: "Re-read the configuration (SIGHUP): targets that stay keep their counters."},
	},
	Privileges: `Raw ICMP sockets need CAP_NET_RAW; without it the exporter uses ping
sockets, open to the groups in net.ipv4.ping_group_range (ICMP errors
other than those quoting an echo are then not seen). Once its sockets and
its listener are open it drops every capability, and under sudo becomes
the invoking user again; a drop that fails stops it with status 2. Path
targets have sockets of their own, opened before the drop too: a path
target added or changed by a reload afterwards runs on ping sockets
(icmp) or UDP sockets (udp) where net.ipv4.ping_group_range allows, and
a tcp one cannot start until the exporter is restarted (said on stderr,
counted failed in rawkit_exporter_path_targets). A tcp path target at
the start without CAP_NET_RAW is an error (status 2). The
systemd unit gives it CAP_NET_RAW alone, as an ambient capability of a
dynamic user.

"rawkit exporter" executes rawkit-exporter with execve(2): the same
process ID, signals and user, so root and sudo carry over. File
capabilities do not: a rawkit given cap_net_raw by setcap passes none to
a program without file capabilities of its own (capabilities(7)). Grant
the exporter its own:

  setcap cap_net_raw+ep /usr/bin/rawkit-exporter

(again after every upgrade), or run it with ping sockets.`,
	Peer: "smokeping_prober and blackbox_exporter",
	Differences: `smokeping_prober opens a socket and goroutines per target, with a random
16-bit identifier that another prober may share; rawkit's exporter probes
every target over one socket per family, matches replies by a per-run
token, and times each round trip from the kernel's send stamp of the
request to its receive stamp of the reply, so that a busy machine keeping
the sender from the kernel does not lengthen it (send stamps need Linux
6.13, before which the time taken before the write is used; a reply whose
stamp has not come is timed that way and counted in
rawkit_exporter_send_stamp_misses_total). smokeping_prober counts requests
minus replies as lost, so probes in flight look lost; here a probe is lost
when its timeout passes, and every probe ends once, as a reply or as lost.
Names that stop resolving keep being probed at their last address and a
name that never resolves does not stop the exporter; both are counted.
A reload keeps the counters of the targets that stay.

blackbox_exporter sends one echo per scrape; rawkit-exporter's /probe
answers with its metric names but sends several echoes and adds their
loss, so a blackbox scrape configuration can point at it unchanged.

The flags are spelled as Prometheus exporters spell them; the RTT
histogram has classic and native buckets.`,
	SeeAlso: []string{"rawkit(1)", "rawkit-ping(1)", "prometheus(1)", "capabilities(7)", "icmp(7)"},
}
