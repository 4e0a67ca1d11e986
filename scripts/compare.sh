#!/usr/bin/env bash
# Compares what two rawkit binaries print for a fixed set of command
# lines: standard output, standard error and exit status, byte for byte
# once times are masked. It is how a change that should not alter
# behaviour (a refactor, a speed-up) shows that it did not.
#
#   scripts/compare.sh BEFORE AFTER          # two rawkit binaries
#   scripts/compare.sh -k BEFORE AFTER       # keep the outputs (prints where)
#
# Typical use, from a checkout:
#
#   git worktree add /tmp/before OLD-COMMIT
#   (cd /tmp/before && CGO_ENABLED=0 go build -o /tmp/rawkit-before ./cmd/rawkit)
#   CGO_ENABLED=0 go build -o /tmp/rawkit-after ./cmd/rawkit
#   sudo scripts/compare.sh /tmp/rawkit-before /tmp/rawkit-after
#
# What it runs: every help text, `ping` (text and --json) on loopback,
# `traceroute -n` (UDP, ICMP, TCP, --json) across a `rawkit lab` chain of
# two routers, `send --dry-run` (--hex, --show, -w) for specs of every
# layer, `capture -r` of a file written by `send -w` with filters, and a
# list of bad inputs, each of which must give one line and status 2 (none
# of them a name: a name would be asked of a name server). As
# root it runs everything; otherwise it skips the cases that need raw
# sockets or namespaces and says so. Masked: decimal numbers (round-trip
# times, rates; not addresses), ping's "time NNNms", --json "time" stamps,
# traceroute --json's probe counts (the engine sends ahead, so how many
# probes a trace sent depends on timing) and the binary's path. Exit status: 0 same, 1 different, 2 misuse.
set -uo pipefail

KEEP=
if [ "${1:-}" = -k ]; then
	KEEP=1
	shift
fi
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	sed -n '/^#   scripts\/compare.sh B/,/^#   scripts\/compare.sh -k/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
BEFORE=$(realpath "$1")
AFTER=$(realpath "$2")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rawkit-compare.XXXXXX")
ROOT=
[ "$(id -u)" -eq 0 ] && ROOT=1
LAB=rkcmp$$

cleanup() {
	if [ -n "$ROOT" ]; then
		"$AFTER" lab down --name "$LAB" >/dev/null 2>&1 || true
		"$BEFORE" lab down --name "$LAB" >/dev/null 2>&1 || true
	fi
	[ -n "$KEEP" ] && echo "outputs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# mask hides what differs from run to run: times and rates.
mask() {
	perl -pe 's/"time":"[^"]*"/"time":"#"/g;
		s/(?<![\d.])\d+\.\d+(e[-+]?\d+)?(?![\d.])/#.#/g;
		s/, time \d+ms/, time #ms/;
		s/"sent":\d+,"answered":\d+/"sent":#,"answered":#/'
}

# The command lines: "NAME<TAB>NEEDS<TAB>ARGS", NEEDS being "-" (none),
# "root" (raw sockets) or "lab" (runs inside the lab's client namespace).
# ARGS is split by the shell: $PCAP is a capture file both binaries read.
cases() {
	local c
	for c in help version ping traceroute send capture lab serve connect; do
		printf 'help %s\t-\thelp %s\n' "$c" "$c"
	done
	cat <<'EOF'
help top	-	help
usage no args	-	
ping --help	-	ping --help
send -h	-	send -h
send hex icmp	-	send --dry-run --hex 'ip(dst=10.0.0.2, ttl=1-3)/icmp(id=1, seq=1)'
send show tcp	-	send --dry-run --show 'ip(dst=10.0.0.2)/tcp(dport=[22,80,443], flags=S)'
send hex udp	-	send --dry-run --hex 'ip(dst=10.0.0.2, tos=0x10)/udp(sport=1234, dport=53)/raw(hex="00ff")'
send show options	-	send --dry-run --show 'ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, options=[rr=3])/tcp(dport=80, flags=S, seq=1000, options=[mss=1460, sackok, wscale=7])'
send hex ip6	-	send --dry-run --hex 'ip6(dst=fd00::2, hlim=3, tc=0x10, fl=12345)/icmp6(type=echo-request, id=1, seq=1)/raw("hi")'
send show ip6 ext	-	send --dry-run --show 'ip6(dst=fd00::2)/hbh(options=[ra=0])/rt(addrs=[fd00::3])/frag6(offset=0, m=1, id=7)/dest()/udp()'
send hex nd	-	send --dry-run --hex 'ip6(dst=ff02::1:ff00:2, hlim=255)/icmp6(type=ns, tgt=fd00::2, options=[slla=02:00:00:00:00:01])'
send fragment	-	send --dry-run --hex 'ip(dst=10.0.0.2, frag=185, flags=MF)/raw(size=64)'
capture -r	-	capture -r $PCAP
capture -r tcp	-	capture -r $PCAP 'tcp port 80 or tcp port 443'
capture -r icmp -c	-	capture -r $PCAP -c 2 icmp
capture -r ip6	-	capture -r $PCAP ip6
capture -r -w	-	capture -r $PCAP -w - udp
bad command	-	no-such-tool
bad help	-	help no-such-tool
bad version	-	version extra
bad ping count	-	ping -c x 127.0.0.1
bad ping count 0	-	ping -c 0 127.0.0.1
bad ping interval	-	ping -i x 127.0.0.1
bad ping ttl	-	ping -t 300 127.0.0.1
bad ping size	-	ping -s 70000 127.0.0.1
bad ping deadline	-	ping -w -1 127.0.0.1
bad ping option	-	ping --no-such 127.0.0.1
bad ping host	-	ping fd00::zz
bad ping family	-	ping -4 -6 127.0.0.1
bad traceroute port	-	traceroute -p x 127.0.0.1
bad traceroute port range	-	traceroute -p 70000 127.0.0.1
bad traceroute max ttl	-	traceroute -m 0 127.0.0.1
bad traceroute queries	-	traceroute -q 99 127.0.0.1
bad traceroute wait	-	traceroute -w x 127.0.0.1
bad traceroute length	-	traceroute 127.0.0.1 x
bad traceroute method	-	traceroute -M bogus 127.0.0.1
bad send spec	-	send --dry-run 'ip(dst=10.0.0.2)/bogus()'
bad send field	-	send --dry-run 'ip(dst=10.0.0.2, ttl=300)/icmp()'
bad send count	-	send --dry-run -c x 'ip(dst=10.0.0.2)/icmp()'
bad send interval	-	send --dry-run -i x 'ip(dst=10.0.0.2)/icmp()'
bad send wait	-	send --dry-run --wait=x 'ip(dst=10.0.0.2)/icmp()'
bad capture flag	-	capture -no-such-flag
bad capture filter	-	capture -r $PCAP 'tcp port bogus'
bad capture file	-	capture -r /nonexistent/file.pcap
bad capture duration	-	capture -r $PCAP --duration x
bad serve flag	-	serve --no-such-flag
bad serve idle	-	serve --idle x
bad connect timeout	-	connect --timeout x tcp 127.0.0.1:1
bad connect address	-	connect tcp 127.0.0.1
bad lab routers	-	lab up --routers 99
bad send spec ip6	-	send --dry-run 'ipv6(dst=fd00::2)/icmp6()'
ping text	root	ping -c 3 -i 0.2 127.0.0.1
ping json	root	ping -c 2 -i 0.2 --json 127.0.0.1
ping quiet	root	ping -q -c 2 -i 0.2 127.0.0.1
ping sweep	root	ping -c 1 -q 127.0.0.1 127.0.0.2 127.0.0.3
traceroute udp	lab	traceroute -n 10.0.3.2
traceroute icmp	lab	traceroute -n -I -q 2 10.0.3.2
traceroute tcp	lab	traceroute -n -T -p 80 10.0.3.2
traceroute json	lab	traceroute -n --json 10.0.3.2
EOF
}

# runcase BIN DIR NAME NEEDS ARGS: runs one case with BIN and keeps its
# masked output, error output and status under DIR.
runcase() {
	local bin=$1 dir=$2 name=$3 needs=$4 args=$5
	local f="$dir/${name// /_}"
	local -a argv
	eval "argv=($args)"
	case $needs in
	lab) "$bin" lab exec --name "$LAB" client -- "$bin" "${argv[@]}" >"$f.out" 2>"$f.err" ;;
	*) "$bin" "${argv[@]}" >"$f.out" 2>"$f.err" ;;
	esac
	echo "exit $?" >"$f.status"
	# The binary's own path appears in usage lines printed for argv[0].
	mask <"$f.out" | sed "s|$bin|RAWKIT|g" >"$f.masked"
	mask <"$f.err" | sed "s|$bin|RAWKIT|g" >"$f.err.masked"
}

PCAP=$WORK/in.pcap
# One capture file for both binaries: IPv4 and IPv6, ICMP, TCP and UDP.
for spec in 'ip(dst=10.0.0.2, ttl=1-2)/icmp(id=1, seq=1)' \
	'ip(dst=10.0.0.2)/tcp(dport=[22,80,443], flags=S)' \
	'ip(dst=10.0.0.2)/udp(sport=1234, dport=53)/raw(load="q")' \
	'ip6(dst=fd00::2)/icmp6(type=echo-request, id=7, seq=2)'; do
	"$BEFORE" send --dry-run -w "$WORK/part.pcap" "$spec" >/dev/null || exit 2
	if [ -f "$PCAP" ]; then
		# Append the packets (after the 24-byte file header).
		tail -c +25 "$WORK/part.pcap" >>"$PCAP"
	else
		cp "$WORK/part.pcap" "$PCAP"
	fi
done
export PCAP

if [ -n "$ROOT" ]; then
	"$BEFORE" lab up --routers 2 --name "$LAB" >/dev/null || { echo "compare.sh: lab up failed" >&2; exit 2; }
fi

mkdir -p "$WORK/before" "$WORK/after"
same=0 differ=0 skipped=0
while IFS=$'\t' read -r name needs args; do
	if [ "$needs" != - ] && [ -z "$ROOT" ]; then
		skipped=$((skipped + 1))
		continue
	fi
	# Alternate which binary goes first, as bench.sh does.
	if [ $(((same + differ) % 2)) -eq 0 ]; then
		runcase "$BEFORE" "$WORK/before" "$name" "$needs" "$args"
		runcase "$AFTER" "$WORK/after" "$name" "$needs" "$args"
	else
		runcase "$AFTER" "$WORK/after" "$name" "$needs" "$args"
		runcase "$BEFORE" "$WORK/before" "$name" "$needs" "$args"
	fi
	f=${name// /_}
	d=
	for ext in masked err.masked status; do
		if ! cmp -s "$WORK/before/$f.$ext" "$WORK/after/$f.$ext"; then
			d=1
			echo "--- $name ($ext): rawkit $args"
			diff "$WORK/before/$f.$ext" "$WORK/after/$f.$ext" | sed 's/^/    /' | head -20
		fi
	done
	if [ -n "$d" ]; then differ=$((differ + 1)); else same=$((same + 1)); fi
done < <(cases)

echo "compare.sh: $same same, $differ different, $skipped skipped (need root)"
[ "$differ" -eq 0 ]
