package docgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// Index returns rawkit(1), the page of the binary: what it is, its
// commands (each with a page of its own), exit statuses and privileges.
func Index(cmds []*cli.Command) string {
	var b strings.Builder
	header(&b, "rawkit", "cmd/rawkit/internal/docgen/index.go and the commands' doc.go")
	b.WriteString(".SH NAME\nrawkit \\- raw sockets and packets: ping, traceroute, send, capture\n")
	b.WriteString(`.SH SYNOPSIS
.nf
\fBrawkit\fR \fICOMMAND\fR [\fIARGS\fR...]
\fBrawkit help\fR [\fICOMMAND\fR]
\fBrawkit version\fR
\fBrawkit completion bash\fR|\fBzsh\fR|\fBfish\fR
.fi
.SH DESCRIPTION
`)
	prose(&b, indexDescription, false)
	b.WriteString(".SH COMMANDS\n")
	for _, c := range sorted(cmds) {
		fmt.Fprintf(&b, ".TP\n.B %s\n", c.Name)
		sentences(&b, c.Summary+".")
		fmt.Fprintf(&b, "See\n.BR %s (1).\n", esc(PageName(c), true))
	}
	b.WriteString(".SH EXIT STATUS\n")
	prose(&b, indexExit, false)
	b.WriteString(".SH PRIVILEGES\n")
	prose(&b, indexPrivileges, false)
	b.WriteString(".SH FILES\n")
	prose(&b, indexFiles, false)
	var refs []string
	for _, c := range sorted(cmds) {
		refs = append(refs, PageName(c)+"(1)")
	}
	seeAlso(&b, append(refs, "capabilities(7)", "icmp(7)", "raw(7)", "packet(7)"))
	return b.String()
}

// sorted returns cmds sorted by name, as `rawkit help` lists them.
func sorted(cmds []*cli.Command) []*cli.Command {
	return slices.SortedFunc(slices.Values(cmds), func(a, b *cli.Command) int { return strings.Compare(a.Name, b.Name) })
}

const indexDescription = `rawkit is one binary with the tools people run as root to look at a network
below the transport layer: an iputils-compatible ping that also sweeps
ranges, a parallel Paris-mode traceroute, a packet sender whose packets are
written in a scapy-like spec language, a capture tool with tcpdump's filter
language, TCP, UDP and unix test servers and clients, and a lab of routers in
network namespaces to try them on.
It is also a Go library: every tool is a thin command over a package of
github.com/rawkit/rawkit.

The Prometheus exporter is a second binary, rawkit-exporter, which
"rawkit exporter" executes in its place: its HTTP, TLS, YAML and
Prometheus libraries would otherwise slow down the start of every other
command.

rawkit runs the command its first argument names.
A link to the binary named after a command runs that command, so a link
named ping makes "ping -c 3 HOST" run "rawkit ping -c 3 HOST".
"rawkit help COMMAND" prints a command's options; each command has a page
of its own.

Bad input gets one line naming the bad value, on standard error.`

const indexExit = `0 on success; 1 when a probing command got no reply (ping, traceroute,
send --wait), as iputils and traceroute; 2 on bad input and on errors.`

const indexPrivileges = `Raw sockets need the capability CAP_NET_RAW. Run the commands as root or
with sudo; or grant the capability to the binary once, as root:

  setcap cap_net_raw,cap_net_admin+ep /usr/bin/rawkit

(cap_net_admin is for receive buffers above net.core.rmem_max). The
exporter is a binary of its own, rawkit-exporter, which "rawkit exporter"
executes, and file capabilities do not pass to it: grant it its own,

  setcap cap_net_raw+ep /usr/bin/rawkit-exporter

The Debian package grants nothing by itself. Plain ICMP echo needs no capability at
all when the user's group is inside net.ipv4.ping_group_range:

  sysctl -w net.ipv4.ping_group_range="0 2147483647"

(persist it in /etc/sysctl.d/); rawkit ping then uses a ping socket.

Once its sockets are open, every command but lab drops every capability,
and under sudo becomes the invoking user again (SUDO_UID, SUDO_GID), before
it touches a packet. A drop that cannot be completed stops the command with
status 2.`

const indexFiles = `/run/rawkit-lab holds the state of the labs that "rawkit lab up" built.`
