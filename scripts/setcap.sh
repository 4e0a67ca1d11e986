#!/usr/bin/env bash
# Lets a user run rawkit without sudo: grants the binary the file
# capabilities it uses (capabilities(7)):
#   cap_net_raw    raw sockets (SOCK_RAW, AF_PACKET): ping, traceroute, send, capture
#   cap_net_admin  SO_MARK, and SO_RCVBUFFORCE beyond net.core.rmem_max
# rawkit drops both as soon as its sockets are open. The exporter is a
# binary of its own, rawkit-exporter, which `rawkit exporter` executes;
# file capabilities do not pass to a program executed without its own
# (capabilities(7)), so a rawkit-exporter next to BINARY gets cap_net_raw
# (raw ICMP sockets), which is all it uses.
#
#   scripts/setcap.sh            # builds ./rawkit and ./rawkit-exporter, then grants
#   scripts/setcap.sh BINARY     # grants an existing binary (and its rawkit-exporter)
#
# Only setcap (and apt, if setcap is missing) run as root. Rebuilding the
# binary drops the capabilities: run this again after every build. File
# capabilities are ignored on filesystems mounted nosuid.
#
# The alternative for ping alone needs no capability at all: ICMP "ping
# sockets" (SOCK_DGRAM, IPPROTO_ICMP; icmp(7)) are open to the groups in
# net.ipv4.ping_group_range, which is "1 0" (nobody) by default. Allow
# every group, as many distributions do:
#   sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"
# rawkit ping uses a ping socket when it has no CAP_NET_RAW.
set -euo pipefail
cd "$(dirname "$0")/.."

caps=cap_net_raw,cap_net_admin+ep

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "setcap.sh: needs root for setcap, and sudo is not installed" >&2
		exit 1
	}
	sudo=sudo
fi

if [ $# -gt 1 ]; then
	echo "usage: scripts/setcap.sh [BINARY]" >&2
	exit 2
fi
bin=${1:-}
if [ -z "$bin" ]; then
	bin=./rawkit
	# Without cgo: only then can DropPrivileges clear the capabilities of
	# every thread (a cgo binary has threads the Go runtime cannot reach).
	echo "== CGO_ENABLED=0 go build -o ./ ./cmd/rawkit ./cmd/rawkit/rawkit-exporter"
	CGO_ENABLED=0 go build -o ./ ./cmd/rawkit ./cmd/rawkit/rawkit-exporter # as the caller: no root-owned build cache
fi
if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
	echo "setcap.sh: not an executable file: $bin" >&2
	exit 2
fi

if ! command -v setcap >/dev/null; then
	echo "== installing libcap2-bin (setcap)"
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libcap2-bin >/dev/null
fi

$sudo setcap "$caps" "$bin"
got=$(getcap "$bin")
case $got in
*cap_net_admin,cap_net_raw=ep* | *cap_net_raw,cap_net_admin=ep*) echo "$got" ;;
*)
	echo "setcap.sh: $bin has capabilities \"$got\" after setcap: is its filesystem mounted nosuid?" >&2
	exit 1
	;;
esac
exporter=$(dirname "$bin")/rawkit-exporter
if [ -f "$exporter" ] && [ -x "$exporter" ]; then
	$sudo setcap cap_net_raw+ep "$exporter"
	getcap "$exporter"
fi
