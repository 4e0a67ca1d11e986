# exporter RTT honesty: the median RTT to one lab server 4 ms away (one
# router delaying 2 ms each way), probed once a second, when it is the
# only target, against when 1,000 loopback targets are probed at 1/s
# beside it; the row's figure is how far the median moved, in µs (target:
# rawkit <= 20 µs), rawkit exporter against smokeping_prober 0.6.1. The
# medians come from each prober's own histogram, with 20 µs buckets from
# 3.5 to 4.5 ms and coarser ones up to 50 ms. Each command runs both
# halves, EXPORTER_RTT_SECONDS (default 30) each.
#
# The lab's delay is a user-space NFQUEUE program, so on a busy machine
# the round trip on the wire moves too, by tens of µs from run to run.
# A capture on the client's link (tcpdump, kernel stamps) measures it in
# each half, and the second row is the prober's own part: how far its
# median moved beyond the wire's, |shift(reported) - shift(wire)|. With
# EXPORTER_RTT_LOG set, each run appends its four medians to that file.
# A half whose wire median leaves 3.5-4.5 ms, where the histograms
# resolve 20 µs, is run again (twice at most), then the run fails.
# Sourced by scripts/bench.sh; needs root (namespaces, raw sockets).

bench_need prometheus-smokeping-prober:prometheus-smokeping-prober tcpdump:tcpdump

EXPORTER_RTT_SECONDS=${EXPORTER_RTT_SECONDS:-30}
export EXPORTER_RTT_SECONDS

if bench_selected "exporter RTT median shift under 1,000 targets" ||
	bench_selected "exporter RTT median shift under 1,000 targets, net of the wire's"; then
	LAB_NAME=bench$$
	export LAB_NAME
	# The lab goes down at bench.sh's exit, and by a watchdog in a
	# session of its own when bench.sh is gone without running its exit
	# trap: SIGKILL (as a job killed at a deadline gets) is the one way
	# found for a run to leave its rklab-bench* namespaces up; SIGTERM
	# and SIGINT, to bench.sh or its process group, run the trap. The
	# watchdog also removes BENCH_TMP, which on_exit then did not. The
	# clean-up is registered before the up, which a signal may cut short
	# (lab up then removes what it built, and lab down finds nothing).
	bench_cleanup "\"$RAWKIT\" lab down --name $LAB_NAME >/dev/null 2>&1 || ! ip netns list | grep -q rklab-$LAB_NAME-"
	setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done
		ip netns list | grep -q "rklab-$3-" && "$2" lab down --name "$3"
		rm -rf "$4"' watchdog $$ "$RAWKIT" "$LAB_NAME" "$BENCH_TMP" \
		</dev/null >/dev/null 2>&1 &
	"$RAWKIT" lab up --name "$LAB_NAME" --routers 1 --delay 2ms >/dev/null
fi

cat >"$BENCH_TMP/exporter-rtt.sh" <<'SH'
#!/usr/bin/env bash
# exporter-rtt.sh rawkit|smokeping [net]: prints |median(loaded) -
# median(alone)| in µs for the lab server; with net, less the shift of
# the median on the wire.
set -u
tool=$1 net=${2:-} server=10.0.2.2
buckets=$(awk 'BEGIN { for (us = 3500; us <= 4500; us += 20) printf "%s%.5f", (us > 3500 ? "," : ""), us / 1e6; printf ",0.005,0.006,0.008,0.01,0.015,0.02,0.05" }')
hosts() { for i in $(seq 0 999); do echo "127.0.$((1 + i / 250)).$((1 + i % 250))"; done; }
median() { # metric label=value: the median from the histogram's buckets on stdin
	awk -v m="$1_bucket" -v sel="$2" '
		index($0, m "{") == 1 && index($0, sel) {
			match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
			n++; les[n] = le; cum[n] = $NF
		}
		END {
			total = cum[n]; half = total / 2; prev = 0; prevc = 0
			for (i = 1; i <= n; i++) {
				if (cum[i] >= half) {
					# Past the last bound: that bound, a lower bound of it.
					if (les[i] == "+Inf") { printf "%.9f\n", prev; print "median beyond " prev " s: shown as " prev > "/dev/stderr"; exit }
					f = (cum[i] == prevc) ? 0 : (half - prevc) / (cum[i] - prevc)
					printf "%.9f\n", prev + f * (les[i] - prev); exit
				}
				prev = les[i]; prevc = cum[i]
			}
		}'
}
wire_median() { # tcpdump -tt lines on stdin: the median echo round trip, seconds
	awk '{ id = ""; seq = ""; for (i = 1; i < NF; i++) { if ($i == "id") id = $(i + 1); if ($i == "seq") seq = $(i + 1) } }
		/echo request/ { req[id seq] = $1 }
		/echo reply/ && (id seq) in req { print $1 - req[id seq] }' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.9f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
run() { # loaded(0|1): the server's median RTT as reported and on the wire, seconds
	local loaded=$1 pid port out cap rep w
	"$RAWKIT" lab exec --name "$LAB_NAME" client -- tcpdump -i eth0 -n -tt --time-stamp-precision=nano -l \
		"icmp and host $server" >"$BENCH_TMP/wire.txt" 2>/dev/null &
	cap=$!
	if [ "$tool" = rawkit ]; then
		port=19044
		{
			echo "targets:"
			echo "  - hosts: [$server]"
			echo "    interval: 1s"
			if [ "$loaded" = 1 ]; then
				echo "  - hosts:"
				hosts | sed 's/^/      - /'
				echo "    interval: 1s"
			fi
			echo "rtt_buckets: [$buckets]"
			echo "native_histogram_bucket_factor: 0"
		} >"$BENCH_TMP/rtt.yml"
		"$RAWKIT" lab exec --name "$LAB_NAME" client -- "$RAWKIT" exporter --config.file="$BENCH_TMP/rtt.yml" \
			--web.listen-address=127.0.0.1:$port 2>"$BENCH_TMP/rtt.log" &
		pid=$!
	else
		port=19375
		local extra=()
		[ "$loaded" = 1 ] && mapfile -t extra < <(hosts)
		"$RAWKIT" lab exec --name "$LAB_NAME" client -- prometheus-smokeping-prober --privileged --ping.interval=1s \
			--buckets="$buckets" --web.listen-address=127.0.0.1:$port "$server" "${extra[@]}" 2>"$BENCH_TMP/rtt.log" &
		pid=$!
	fi
	sleep "$EXPORTER_RTT_SECONDS"
	# The capture ends right before the scrape, so that both medians are
	# of (nearly) the same probes: on a loaded machine the lab's round
	# trips spread wide, and a few probes more on one side move a median
	# of twenty by tens of µs.
	pkill -INT -P "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
	out=$("$RAWKIT" lab exec --name "$LAB_NAME" client -- curl -sSf "http://127.0.0.1:$port/metrics" 2>"$BENCH_TMP/curl.err") ||
		echo "$tool: scrape failed ($(tail -n 1 "$BENCH_TMP/curl.err")); its log ends: $(tail -n 2 "$BENCH_TMP/rtt.log" | tr '\n' ' ')" >&2
	pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	# Whatever the lab exec'd may outlive its parent: end it by its port.
	"$RAWKIT" lab exec --name "$LAB_NAME" client -- sh -c "fuser -k -n tcp $port >/dev/null 2>&1" || true
	if [ "$tool" = rawkit ]; then
		rep=$(median rawkit_ping_rtt_seconds "ip=\"$server\"" <<<"$out")
	else
		rep=$(median smokeping_response_duration_seconds "ip=\"$server\"" <<<"$out")
	fi
	w=$(wire_median <"$BENCH_TMP/wire.txt")
	echo "${rep:--} ${w:--}" # "-": none (no scrape, or no probe answered)
}
num='^[0-9.]+$'
half() { # loaded(0|1): "reported wire"; a half whose wire median left the
	# 3.5-4.5 ms the histograms resolve to 20 µs (the lab's delay program
	# starved on a loaded machine) is run again, twice at most
	local r i
	for i in 1 2 3; do
		r=$(run "$1")
		awk -v w="${r#* }" 'BEGIN { exit !(w ~ /^[0-9.]+$/ && w >= 0.0035 && w <= 0.0045) }' && break
		echo "$tool: lab round trip on the wire ${r#* } s, outside 3.5-4.5 ms (try $i)" >&2
	done
	echo "$r"
}
read -r a wa < <(half 0)
read -r b wb < <(half 1)
# "-": no scrape, or no round trip to the server in the histogram (with
# 1,000 targets smokeping_prober had counted 0-2 of them in 20 s).
[[ ${a:-} =~ $num && ${b:-} =~ $num ]] || { echo "no median from $tool (alone: ${a:-}, loaded: ${b:-}; -: no scrape or no round trip counted)" >&2; exit 1; }
[[ ${wa:-} =~ $num && ${wb:-} =~ $num ]] || { echo "no median on the wire (alone: ${wa:-}, loaded: ${wb:-})" >&2; exit 1; }
awk -v x="$wa" -v y="$wb" 'BEGIN { exit !(x >= 0.0035 && x <= 0.0045 && y >= 0.0035 && y <= 0.0045) }' ||
	{ echo "lab round trip on the wire $wa and $wb s: outside 3.5-4.5 ms, the machine is too loaded" >&2; exit 1; }
line=$(awk -v t="$tool" -v a="$a" -v b="$b" -v wa="$wa" -v wb="$wb" 'BEGIN {
	printf "%s medians: alone %.1f µs (wire %.1f), with 1,000 others %.1f µs (wire %.1f)", t, a * 1e6, wa * 1e6, b * 1e6, wb * 1e6 }')
echo "$line" >&2
[ -z "${EXPORTER_RTT_LOG:-}" ] || echo "$(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg): $line${net:+ (net row)} [$RAWKIT]" >>"$EXPORTER_RTT_LOG"
awk -v a="$a" -v b="$b" -v wa="$wa" -v wb="$wb" -v net="$net" 'BEGIN {
	d = (b - a) * 1e6; if (net != "") d -= (wb - wa) * 1e6; if (d < 0) d = -d; printf "%.1f\n", d }'
SH
chmod +x "$BENCH_TMP/exporter-rtt.sh"

bench_value "exporter RTT median shift under 1,000 targets" "µs" lower \
	'"$BENCH_TMP/exporter-rtt.sh" rawkit' \
	'"$BENCH_TMP/exporter-rtt.sh" smokeping'
bench_value "exporter RTT median shift under 1,000 targets, net of the wire's" "µs" lower \
	'"$BENCH_TMP/exporter-rtt.sh" rawkit net' \
	'"$BENCH_TMP/exporter-rtt.sh" smokeping net'
