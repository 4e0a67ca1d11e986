# ping rows: rawkit ping against iputils ping and fping on loopback.
# Sourced by scripts/bench.sh. Raw sockets need root: the commands run
# under sudo when bench.sh is not root.
#
#   flood      `ping -f -c 100000 127.0.0.1`, wall and CPU (target <= 1.0)
#   sweep      one probe to each of the 4,094 hosts of 127.0.0.0/20 against
#              `fping -i 0 -p 0 -r 0 -g` (target <= 0.5); rawkit fails its
#              run if it reports any host unreachable; fping without retries
#              sometimes loses replies on a busy machine (exit 1): its time
#              still counts
#   rtt        median round trip of 500 echoes at 2 ms intervals, in µs
#              (target: rawkit's median within 10 µs of iputils'), and of
#              200 at 5 ms (target: within 3 µs)
#   memory     peak RSS of a sweep of 65,536 loopback targets, in MB
#              (target < 64 MB); the peer is fping over 127.0.0.0/16
#   sweep floor  the least the same sweep can cost on this machine:
#              BenchmarkSweepFloor (icmp/echo/priv_bench_sweep_linux_test.go) sends
#              prebuilt requests with bare sendmmsg(2) from one thread and
#              reads the replies with recvmmsg(2), with no bookkeeping,
#              output or process start, in ms per sweep, against fping's
#              whole run in ms: if this ratio is above 0.5, the sweep target
#              is out of reach of any program on this machine
#   flood floor  100,000 round trips of BenchmarkFloodFloor (the same file):
#              bare sendto(2) and recvmsg(2) from Go on a socket outside the
#              runtime poller, against iputils' flood, in ms: how far
#              below iputils a Go program can get at all
#   flood floor on rawkit's socket  the same with BenchmarkFloodFloorSocket:
#              the socket rawkit's echo engine opens (BPF filter,
#              receive stamps, the poller once a read waits) driven through
#              raw.Conn's TryWriteTo and TryReadMsg with no engine at all:
#              what a flood on the features the ping issue asks for costs
#              before any table, statistics or output
#   rtt floor  BenchmarkRTTFloor (icmp/echo/priv_bench_rtt_linux_test.go):
#              200 echoes at 5 ms from a bare Go loop (time.Sleep, the
#              send time read just before sendto(2), the reply's kernel
#              receive stamp), median in µs, against iputils' median of
#              `ping -c 200 -i 0.005`: what of rawkit's gap to iputils any
#              Go program on this machine has
#   flood -6   `ping -f -c 100000 ::1` against rawkit's own IPv4 flood
#              (target <= 1.1: IPv6 within 10% of IPv4), and against
#              iputils' IPv6 flood

bench_need ping:iputils-ping fping:fping /usr/bin/time:time

PING_SUDO=
[ "$(id -u)" -eq 0 ] || PING_SUDO=sudo
export PING_SUDO

bench_time "ping flood 100k echoes 127.0.0.1" \
	'$PING_SUDO "$RAWKIT" ping -f -c 100000 127.0.0.1 >/dev/null' \
	'$PING_SUDO ping -f -c 100000 127.0.0.1 >/dev/null'

bench_time "sweep 4094 hosts 127.0.0.0/20, 1 probe" \
	'$PING_SUDO "$RAWKIT" ping -c 1 -W 1 127.0.0.0/20 >"$BENCH_TMP/sweep.out" && grep -q "^4094 alive, 0 unreachable$" "$BENCH_TMP/sweep.out"' \
	'$PING_SUDO fping -i 0 -p 0 -r 0 -g 127.0.0.0/20 >/dev/null 2>&1 || [ $? -eq 1 ]'

if bench_selected "sweep floor 4094 hosts (ms) vs fping" || bench_selected "flood floor 100k echoes (ms) vs iputils" ||
	bench_selected "flood floor on rawkit's socket 100k echoes (ms) vs iputils" ||
	bench_selected "floor: RTT median of a bare Go loop 127.0.0.1 (200 x 5 ms) vs iputils"; then
	if ! go test -c -tags privileged -o "$BENCH_TMP/icmp-bench.test" ./icmp/echo >&2; then
		echo "bench.sh: building the icmp benchmarks failed; the rows will fail" >&2
	fi
	# floor-ms.sh BENCH N PER runs benchmark BENCH of icmp/echo for N ops and
	# prints the time PER ops take, in ms.
	cat >"$BENCH_TMP/floor-ms.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
$PING_SUDO env RAWKIT_PRIVILEGED=1 "$BENCH_TMP/icmp-bench.test" -test.run '^$' \
	-test.bench "^$1\$" -test.benchtime="$2x" |
	awk -v n="$2" -v per="$3" '$2 == n && $4 == "ns/op" { printf "%.2f\n", $3 * per / 1e6; ok = 1 } END { if (!ok) exit 1 }'
SH
	# wall-ms.sh CMD... runs CMD (exit 0 or 1, as fping's with a reply
	# lost) and prints its wall time in ms.
	cat >"$BENCH_TMP/wall-ms.sh" <<'SH'
#!/usr/bin/env bash
s=$EPOCHREALTIME
$PING_SUDO "$@" >/dev/null 2>&1 || [ $? -eq 1 ] || exit 1
e=$EPOCHREALTIME
awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f\n", (e - s) * 1000 }'
SH
	# floor-metric.sh BENCH N UNIT runs benchmark BENCH of icmp/echo for N
	# ops and prints the metric it reports in UNIT.
	cat >"$BENCH_TMP/floor-metric.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
$PING_SUDO env RAWKIT_PRIVILEGED=1 "$BENCH_TMP/icmp-bench.test" -test.run '^$' \
	-test.bench "^$1\$" -test.benchtime="$2x" |
	awk -v unit="$3" '{ for (i = 2; i < NF; i++) if ($(i + 1) == unit) { print $i; ok = 1 } } END { if (!ok) exit 1 }'
SH
	chmod +x "$BENCH_TMP/floor-ms.sh" "$BENCH_TMP/wall-ms.sh" "$BENCH_TMP/floor-metric.sh"
fi
bench_value "flood floor 100k echoes (ms) vs iputils" "ms" lower \
	'"$BENCH_TMP/floor-ms.sh" BenchmarkFloodFloor 100000 100000' \
	'"$BENCH_TMP/wall-ms.sh" ping -f -c 100000 127.0.0.1'
bench_value "flood floor on rawkit's socket 100k echoes (ms) vs iputils" "ms" lower \
	'"$BENCH_TMP/floor-ms.sh" BenchmarkFloodFloorSocket 100000 100000' \
	'"$BENCH_TMP/wall-ms.sh" ping -f -c 100000 127.0.0.1'
bench_value "sweep floor 4094 hosts (ms) vs fping" "ms" lower \
	'"$BENCH_TMP/floor-ms.sh" BenchmarkSweepFloor/1thread 10 1' \
	'"$BENCH_TMP/wall-ms.sh" fping -i 0 -p 0 -r 0 -g 127.0.0.0/20'

bench_time "ping -6 flood 100k echoes ::1 vs rawkit IPv4 flood" \
	'$PING_SUDO "$RAWKIT" ping -f -c 100000 ::1 >/dev/null' \
	'$PING_SUDO "$RAWKIT" ping -f -c 100000 127.0.0.1 >/dev/null'

bench_time "ping -6 flood 100k echoes ::1 vs iputils ping -6" \
	'$PING_SUDO "$RAWKIT" ping -f -c 100000 ::1 >/dev/null' \
	'$PING_SUDO ping -6 -f -c 100000 ::1 >/dev/null'

# rtt_median: median of the time= fields of ping-style output on stdin, µs.
cat >"$BENCH_TMP/rtt-median.sh" <<'SH'
#!/usr/bin/env bash
sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -g |
	awk '{ v[NR] = $1 * 1000 } END { if (NR == 0) exit 1; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m }'
SH
chmod +x "$BENCH_TMP/rtt-median.sh"
bench_value "ping RTT median 127.0.0.1 (500 x 2 ms)" "us" lower \
	'$PING_SUDO "$RAWKIT" ping -n -c 500 -i 0.002 127.0.0.1 | "$BENCH_TMP/rtt-median.sh"' \
	'$PING_SUDO ping -n -c 500 -i 0.002 127.0.0.1 | "$BENCH_TMP/rtt-median.sh"'
bench_value "ping RTT median 127.0.0.1 (200 x 5 ms)" "us" lower \
	'$PING_SUDO "$RAWKIT" ping -n -c 200 -i 0.005 127.0.0.1 | "$BENCH_TMP/rtt-median.sh"' \
	'$PING_SUDO ping -n -c 200 -i 0.005 127.0.0.1 | "$BENCH_TMP/rtt-median.sh"'

bench_value "floor: RTT median of a bare Go loop 127.0.0.1 (200 x 5 ms) vs iputils" "us" lower \
	'"$BENCH_TMP/floor-metric.sh" BenchmarkRTTFloor 200 rtt-us' \
	'$PING_SUDO ping -n -c 200 -i 0.005 127.0.0.1 | "$BENCH_TMP/rtt-median.sh"'

# peak_rss CMD...: runs CMD, prints its peak RSS in MB.
cat >"$BENCH_TMP/peak-rss.sh" <<'SH'
#!/usr/bin/env bash
/usr/bin/time -f '%M' -o "$BENCH_TMP/rss.$$" "$@" >/dev/null 2>&1
awk '{ printf "%.1f\n", $1 / 1024 }' "$BENCH_TMP/rss.$$"
SH
chmod +x "$BENCH_TMP/peak-rss.sh"
bench_value "sweep 65536 targets peak RSS" "MB" lower \
	'$PING_SUDO "$BENCH_TMP/peak-rss.sh" "$RAWKIT" ping -q -c 1 -W 1 127.0.0.0/16 127.1.0.1 127.1.0.2' \
	'$PING_SUDO "$BENCH_TMP/peak-rss.sh" fping -q -i 0 -p 0 -r 0 -g 127.0.0.0/16'
