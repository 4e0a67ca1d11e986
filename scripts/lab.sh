#!/usr/bin/env bash
# A namespace lab for hands-on experiments with rawkit and the usual
# tools: builds rawkit, installs what the lab and the experiments use,
# and runs `rawkit lab` as root (through sudo when needed).
#
#   scripts/lab.sh up [--routers N] [--delay 10ms] [--loss 5%] [--ecmp] [--mtu HOP:SIZE]
#   scripts/lab.sh exec client -- rawkit traceroute -n 10.0.4.2
#   scripts/lab.sh exec client -- traceroute -n 10.0.4.2
#   scripts/lab.sh down
#
# Inside `exec`, `rawkit` is the binary built here (./rawkit). The lab
# is a client, N routers and a server in network namespaces named
# rklab-lab-*; see `rawkit help lab`. Nothing leaves the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pure Go, as the README builds it: only then can rawkit drop its
# capabilities on every thread.
CGO_ENABLED=0 go build -o ./rawkit ./cmd/rawkit
BIN=$PWD/rawkit

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if [ "${1:-}" = up ]; then
	missing=()
	for spec in ip:iproute2 iptables:iptables traceroute:traceroute tracepath:iputils-tracepath \
		ping:iputils-ping tcpdump:tcpdump mtr:mtr-tiny; do
		command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "lab.sh: installing ${missing[*]}" >&2
		$SUDO apt-get update -qq
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
fi

if [ "${1:-}" = exec ]; then
	# Let "rawkit" in the command mean this build.
	args=()
	for a in "$@"; do
		[ "$a" = rawkit ] && a=$BIN
		args+=("$a")
	done
	set -- "${args[@]}"
fi

exec $SUDO "$BIN" lab "$@"
