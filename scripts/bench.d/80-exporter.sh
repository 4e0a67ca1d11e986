# exporter rows: rawkit exporter against Debian's prometheus-smokeping-prober
# (0.6.1) and prometheus-blackbox-exporter (0.23), probing the same 1,000
# loopback addresses (127.0.1.1 on: the loopback answers all of 127/8) at
# one probe a second each, for EXPORTER_BENCH_SECONDS (default 60) after a
# 5 s warm-up. Sourced by scripts/bench.sh; needs root (raw sockets).
#
#   cpu       CPU seconds per second of run (cores) of the prober process,
#             every thread, from /proc/PID/task/*/schedstat (target: rawkit
#             <= 0.05x smokeping_prober)
#   rss       the prober's peak resident memory (VmHWM), MB
#   blackbox  blackbox_exporter sends one echo per scrape: a Prometheus
#             scraping /probe for every address each second drives it, and
#             only the exporter's own CPU counts
#
# rawkit's run fails if the exporter lost a probe: loopback never loses.

bench_need prometheus-smokeping-prober:prometheus-smokeping-prober \
	prometheus-blackbox-exporter:prometheus-blackbox-exporter prometheus:prometheus

EXPORTER_BENCH_SECONDS=${EXPORTER_BENCH_SECONDS:-60}
export EXPORTER_BENCH_SECONDS

# The 1,000 addresses, one per line.
for i in $(seq 0 999); do
	echo "127.0.$((1 + i / 250)).$((1 + i % 250))"
done >"$BENCH_TMP/exporter-hosts"

{
	echo "targets:"
	echo "  - hosts:"
	sed 's/^/      - /' "$BENCH_TMP/exporter-hosts"
	echo "    interval: 1s"
	echo "    timeout: 2s"
} >"$BENCH_TMP/exporter.yml"

cat >"$BENCH_TMP/blackbox.yml" <<'YML'
modules:
  icmp:
    prober: icmp
    timeout: 2s
    icmp:
      preferred_ip_protocol: ip4
YML

{
	cat <<'YML'
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {module: [icmp]}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - target_label: __address__
        replacement: 127.0.0.1:19115
    static_configs:
      - targets:
YML
	sed 's/^/          - /' "$BENCH_TMP/exporter-hosts"
} >"$BENCH_TMP/blackbox-prometheus.yml"

cat >"$BENCH_TMP/exporter-run.sh" <<'SH'
#!/usr/bin/env bash
# exporter-run.sh rawkit|smokeping|blackbox cpu|rss: runs the prober on the
# 1,000 addresses and prints its cores used or its peak RSS in MB.
set -u
tool=$1 what=$2
log=$BENCH_TMP/exporter.$tool.log
driver=
case $tool in
rawkit)
	"$RAWKIT" exporter --config.file="$BENCH_TMP/exporter.yml" --web.listen-address=127.0.0.1:19042 2>"$log" &
	port=19042 ;;
smokeping)
	prometheus-smokeping-prober --privileged --ping.interval=1s \
		--web.listen-address=127.0.0.1:19374 $(cat "$BENCH_TMP/exporter-hosts") 2>"$log" &
	port=19374 ;;
blackbox)
	prometheus-blackbox-exporter --config.file="$BENCH_TMP/blackbox.yml" \
		--web.listen-address=127.0.0.1:19115 2>"$log" &
	port=19115 ;;
esac
pid=$!
trap 'kill $pid $driver 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break
	sleep 0.1
done
if [ "$tool" = blackbox ]; then
	rm -rf "$BENCH_TMP/prom-data"
	prometheus --config.file="$BENCH_TMP/blackbox-prometheus.yml" --storage.tsdb.path="$BENCH_TMP/prom-data" \
		--web.listen-address=127.0.0.1:19090 >"$BENCH_TMP/prom.log" 2>&1 &
	driver=$!
fi
sleep 5
cpu() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
c0=$(cpu) t0=$(date +%s%N)
sleep "$EXPORTER_BENCH_SECONDS"
c1=$(cpu) t1=$(date +%s%N)
rss=$(awk '/VmHWM/ { print $2 }' /proc/"$pid"/status)
if [ "$tool" = rawkit ]; then
	m=$(curl -sf "http://127.0.0.1:$port/metrics")
	lost=$(awk '/^rawkit_ping_lost_total/ { s += $2 } END { print s + 0 }' <<<"$m")
	if [ "$lost" != 0 ]; then
		echo "rawkit exporter lost $lost probes on loopback" >&2
		exit 1
	fi
fi
# smokeping_prober takes a while to notice SIGINT: the figures are read.
kill -KILL "$pid"
wait "$pid" 2>/dev/null
case $what in
cpu) awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.4f\n", c / t }' ;;
rss) awk -v k="$rss" 'BEGIN { printf "%.1f\n", k / 1024 }' ;;
esac
SH
chmod +x "$BENCH_TMP/exporter-run.sh"

bench_value "exporter 1,000 targets at 1/s: CPU vs smokeping_prober" "cores" lower \
	'"$BENCH_TMP/exporter-run.sh" rawkit cpu' \
	'"$BENCH_TMP/exporter-run.sh" smokeping cpu'
bench_value "exporter 1,000 targets at 1/s: peak RSS vs smokeping_prober" "MB" lower \
	'"$BENCH_TMP/exporter-run.sh" rawkit rss' \
	'"$BENCH_TMP/exporter-run.sh" smokeping rss'
bench_value "exporter 1,000 targets at 1/s: CPU vs blackbox_exporter" "cores" lower \
	'"$BENCH_TMP/exporter-run.sh" rawkit cpu' \
	'"$BENCH_TMP/exporter-run.sh" blackbox cpu'
bench_value "exporter 1,000 targets at 1/s: peak RSS vs blackbox_exporter" "MB" lower \
	'"$BENCH_TMP/exporter-run.sh" rawkit rss' \
	'"$BENCH_TMP/exporter-run.sh" blackbox rss'
