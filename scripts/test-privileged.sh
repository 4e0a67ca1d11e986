#!/usr/bin/env bash
# Runs the privileged test suite: the tests tagged `privileged`, which open
# raw sockets and build hosts in network namespaces (internal/netlab), as
# root. Not root? It runs itself again with sudo.
#
#   scripts/test-privileged.sh                       # every package
#   scripts/test-privileged.sh ./raw/ -run Batch     # go test arguments
#
# It installs with apt the tools the tests use when they are missing,
# picks the iptables that works on this kernel, sets RAWKIT_PRIVILEGED=1
# (a privileged test lacking a permission then fails instead of skipping),
# and removes the namespaces that tests left behind when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the privileged tests use: "command:debian-package"; a command
# starting with "py:" is a module for Debian's /usr/bin/python3.
TOOLS=(
	ip:iproute2
	tcpdump:tcpdump
	tshark:tshark
	iptables:iptables
	ping:iputils-ping
	setcap:libcap2-bin
	fping:fping
	traceroute:traceroute
	jc:jc
	promtool:prometheus
	py:scapy:python3-scapy
	groff:groff-base
	mandoc:mandoc
	dpkg-deb:dpkg
	lintian:lintian
)

if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "test-privileged.sh: needs root, and sudo is not installed" >&2
		exit 1
	fi
	# Keep the caller's Go toolchain, caches and module cache: the files
	# root adds to them are given back to the caller at the end. Making
	# the directories now keeps their parents the caller's.
	mkdir -p "$(go env GOCACHE)" "$(go env GOMODCACHE)"
	exec sudo env PATH="$PATH" HOME="$HOME" \
		GOPATH="$(go env GOPATH)" GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" \
		${GOFLAGS:+GOFLAGS="$GOFLAGS"} ${GOTOOLCHAIN:+GOTOOLCHAIN="$GOTOOLCHAIN"} \
		"$0" "$@"
fi

apt_updated=
install_missing() {
	local spec cmd pkg missing=()
	for spec in "$@"; do
		pkg=${spec##*:}
		cmd=${spec%:*}
		case $cmd in
		py:*) /usr/bin/python3 -c "import ${cmd#py:}" >/dev/null 2>&1 || missing+=("$pkg") ;;
		*) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "== installing ${missing[*]}"
	if [ -z "$apt_updated" ]; then
		apt-get update -qq
		apt_updated=1
	fi
	# tshark's wireshark-common asks whether non-root users may capture:
	# answer no beforehand, so that the install never stops to ask.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# remove_leftovers deletes "rk-PID-..." namespaces whose test process is
# gone (internal/netlab names them so); a live run's are kept.
remove_leftovers() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^rk-([0-9]+)- ]] || continue
		pid=${BASH_REMATCH[1]}
		[ -d "/proc/$pid" ] && continue
		ip netns del "$ns" 2>/dev/null || true
	done
}

# give_back returns to the sudo caller the files root added to their Go
# caches (and Go's telemetry counters in their home), so that their next
# unprivileged build can write there again.
give_back() {
	local dir
	[ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ] || return 0
	for dir in "$(go env GOCACHE)" "$(go env GOMODCACHE)" "$HOME/.config/go"; do
		[ -d "$dir" ] && find "$dir" -user 0 -exec chown -h "$SUDO_UID:$SUDO_GID" {} + 2>/dev/null || true
	done
}

cleanup() {
	remove_leftovers
	give_back
}
trap cleanup EXIT

install_missing "${TOOLS[@]}"

# iptables: the default alternative may speak nf_tables to a kernel built
# with x_tables only, or the reverse. Use the first that can add the rules
# netlab adds (statistic, TEE) in a scratch namespace.
probe=rk-$$-iptables-probe
ip netns add "$probe"
RAWKIT_IPTABLES=
for ipt in iptables iptables-legacy iptables-nft; do
	command -v "$ipt" >/dev/null || continue
	# netlab's delay also adds an NFQUEUE rule with the matching ip6tables.
	ipt6=${ipt/iptables/ip6tables}
	if ip netns exec "$probe" "$ipt" -w 10 -t mangle -A POSTROUTING -m statistic --mode random --probability 0.5 -j DROP 2>/dev/null &&
		ip netns exec "$probe" "$ipt" -w 10 -t mangle -A POSTROUTING -j TEE --gateway 127.0.0.2 2>/dev/null &&
		ip netns exec "$probe" "$ipt6" -w 10 -A OUTPUT -p udp -j NFQUEUE --queue-num 7 --queue-bypass 2>/dev/null; then
		RAWKIT_IPTABLES=$ipt
		break
	fi
done
ip netns del "$probe"
if [ -z "$RAWKIT_IPTABLES" ]; then
	echo "test-privileged.sh: no iptables command can add statistic and TEE rules on this kernel" >&2
	exit 1
fi
export RAWKIT_IPTABLES RAWKIT_PRIVILEGED=1

remove_leftovers

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(./...)
echo "== privileged tests (as root, $RAWKIT_IPTABLES)"
go test -tags privileged -race -count=1 -timeout 10m "${args[@]}"
