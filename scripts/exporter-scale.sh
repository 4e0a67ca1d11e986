#!/usr/bin/env bash
# Measures rawkit exporter at scale: N loopback targets (default 10,000:
# 127.1.0.1 on; the loopback answers all of 127/8) at one probe a second
# each for SECONDS (default 60) after a 10 s warm-up, and prints its CPU
# (cores, every thread, from schedstat; one text scrape falls in the
# window), peak RSS, kernel socket drops, probes sent and lost, and the
# size, time and CPU-seconds of one /metrics scrape in the text format
# and in protobuf, plain and gzipped (as Prometheus asks), with the load
# average: on a shared machine CPU figures mean little without it.
# Needs root (raw sockets) and curl.
#
#   scripts/exporter-scale.sh [-n TARGETS] [-s SECONDS] [-b BINARY]
#
# It fails (exit 1) if a probe was lost or the kernel dropped a reply.
set -euo pipefail
cd "$(dirname "$0")/.."

N=10000 SECONDS_RUN=60 BIN=
while getopts n:s:b: o; do
	case $o in
	n) N=$OPTARG ;;
	s) SECONDS_RUN=$OPTARG ;;
	b) BIN=$OPTARG ;;
	*) echo "usage: scripts/exporter-scale.sh [-n TARGETS] [-s SECONDS] [-b BINARY]" >&2; exit 2 ;;
	esac
done
for v in "$N" "$SECONDS_RUN"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "exporter-scale.sh: bad number \"$v\"" >&2; exit 2; }
done
[ "$N" -le 60000 ] || { echo "exporter-scale.sh: at most 60000 targets, not $N" >&2; exit 2; }
command -v curl >/dev/null || { echo "exporter-scale.sh: needs curl" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "exporter-scale.sh: needs root for raw sockets" >&2; exit 2; }

tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
if [ -z "$BIN" ]; then
	BIN=$tmp/rawkit # and rawkit-exporter next to it, which `rawkit exporter` executes
	go build -o "$tmp/" ./cmd/rawkit ./cmd/rawkit/rawkit-exporter
fi
{
	echo "targets:"
	echo "  - interval: 1s"
	echo "    timeout: 2s"
	echo "    hosts:"
	for i in $(seq 0 $((N - 1))); do
		echo "      - 127.1.$((i / 250)).$((1 + i % 250))"
	done
} >"$tmp/exporter.yml"

port=19043
"$BIN" exporter --config.file="$tmp/exporter.yml" --web.listen-address=127.0.0.1:$port 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
	sleep 0.1
done
sleep 10
metric() { # name: the sum of its samples in a text scrape
	curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%.0f\n", s }'
}
cpu() { cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
c0=$(cpu) t0=$(date +%s%N) sent0=$(metric rawkit_ping_requests_total)
sleep "$SECONDS_RUN"
c1=$(cpu) t1=$(date +%s%N) sent1=$(metric rawkit_ping_requests_total)
lost=$(metric rawkit_ping_lost_total)
drops=$(metric rawkit_exporter_socket_drops_total)
rss=$(awk '/VmHWM/ { print $2 }' /proc/"$pid"/status)
load=$(cut -d' ' -f1-3 /proc/loadavg)
protoAccept='Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'
scrape() { # label, curl options: size, time and CPU-seconds of one scrape
	local c0 c1 r
	c0=$(cpu)
	r=$(curl -s -o /dev/null -w '%{size_download} %{time_total}' "${@:2}" "http://127.0.0.1:$port/metrics")
	c1=$(cpu)
	awk -v l="$1" -v r="$r" -v c=$((c1 - c0)) 'BEGIN { split(r, a, " ")
		printf "scrape, %-15s %.2f MB in %.0f ms, %.3f CPU-s\n", l, a[1] / 1e6, a[2] * 1e3, c / 1e9 }'
}
awk -v n="$N" -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v s=$((sent1 - sent0)) -v lost="$lost" -v drops="$drops" -v rss="$rss" \
	-v load="$load" 'BEGIN {
	printf "targets            %d\n", n
	printf "probes/s           %.0f\n", s / (t / 1e9)
	printf "CPU                %.4f cores (%.1f CPU-s in %.1f s)\n", c / t, c / 1e9, t / 1e9
	printf "load average       %s\n", load
	printf "peak RSS           %.1f MB\n", rss / 1024
	printf "lost               %d\n", lost
	printf "socket drops       %d\n", drops
}'
scrape text
scrape "text, gzip" --compressed
scrape protobuf -H "$protoAccept"
scrape "protobuf, gzip" -H "$protoAccept" --compressed
rss=$(awk '/VmHWM/ { print $2 }' /proc/"$pid"/status)
awk -v rss="$rss" 'BEGIN { printf "peak RSS after     %.1f MB\n", rss / 1024 }'
kill -INT "$pid"
wait "$pid" || true
pid=
if [ "$lost" != 0 ] || [ "$drops" != 0 ]; then
	echo "exporter-scale.sh: $lost probes lost, $drops replies dropped by the kernel" >&2
	exit 1
fi
