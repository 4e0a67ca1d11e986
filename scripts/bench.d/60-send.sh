# send rows: rawkit send against hping3 and scapy. Sourced by
# scripts/bench.sh. Raw sockets need root: the commands run under sudo
# when bench.sh is not root.
#
#   flood pps   `rawkit send -c 500000 --rate 0 'ip(dst=127.0.0.1)/icmp()'`
#               against `hping3 -1 --flood 127.0.0.1`, which ignores -c: it
#               runs for 3 s under `timeout -s INT` and its count of packets
#               transmitted is divided by its wall time (target: 1.2x)
#   flood CPU   user+system CPU per packet of the same two runs, in µs
#   vs scapy    the same rawkit run against scapy's send(count=3000), timed
#               around send() alone, without scapy's start-up (target: 100x)
#   spec build  parsing and building a 3-layer spec (BenchmarkSpecParse,
#               target 5 µs) against scapy building the same packet, in
#               CPU time per packet (process CPU, GC included): on a loaded
#               machine the wall time mostly measures the other load

bench_need hping3:hping3 /usr/bin/time:time /usr/bin/python3:python3 python3-scapy

SEND_SUDO=
[ "$(id -u)" -eq 0 ] || SEND_SUDO=sudo
export SEND_SUDO

# send-measure.sh pps|cpu rawkit|hping3|scapy: runs one flood and prints
# packets per second (wall time of the whole command) or CPU µs per packet.
cat >"$BENCH_TMP/send-measure.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
what=$1 tool=$2
out=$BENCH_TMP/send-measure.$$
case $tool in
rawkit)
	n=500000
	/usr/bin/time -f '%e %U %S' -o "$out.time" \
		$SEND_SUDO "$RAWKIT" send -c $n --rate 0 'ip(dst=127.0.0.1)/icmp()' >"$out" 2>&1
	grep -q "^sent $n packets" "$out" || { cat "$out" >&2; exit 1; }
	;;
hping3)
	/usr/bin/time -f '%e %U %S' -o "$out.time" \
		$SEND_SUDO timeout -s INT 3 hping3 -1 --flood 127.0.0.1 >"$out" 2>&1 || true
	n=$(awk '/packets transmitted/ { print $1 }' "$out")
	[ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$out" >&2; exit 1; }
	;;
scapy)
	n=3000
	$SEND_SUDO /usr/bin/python3 -c '
import sys, time
from scapy.all import IP, ICMP, send, conf
conf.verb = 0
n = int(sys.argv[1])
p = IP(dst="127.0.0.1")/ICMP()
t = time.perf_counter()
send(p, count=n, verbose=0)
print("%.1f" % (n / (time.perf_counter() - t)))
' $n
	exit 0
	;;
esac
# GNU time writes "Command exited with non-zero status N" first when it did.
read -r wall user sys < <(tail -n 1 "$out.time")
rm -f "$out" "$out.time"
case $what in
pps) awk -v n="$n" -v t="$wall" 'BEGIN { printf "%.0f\n", n / t }' ;;
cpu) awk -v n="$n" -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f\n", (u + s) / n * 1e6 }' ;;
esac
SH
chmod +x "$BENCH_TMP/send-measure.sh"

bench_value "send ICMP flood 127.0.0.1 pps (hping3 -1 --flood)" "pkts/s" higher \
	'"$BENCH_TMP/send-measure.sh" pps rawkit' \
	'"$BENCH_TMP/send-measure.sh" pps hping3'

bench_value "send ICMP flood 127.0.0.1 CPU per packet (hping3)" "us" lower \
	'"$BENCH_TMP/send-measure.sh" cpu rawkit' \
	'"$BENCH_TMP/send-measure.sh" cpu hping3'

bench_value "send ICMP flood 127.0.0.1 pps (scapy send count=N)" "pkts/s" higher \
	'"$BENCH_TMP/send-measure.sh" pps rawkit' \
	'"$BENCH_TMP/send-measure.sh" pps scapy'

if bench_selected "spec parse+build 3 layers CPU (scapy build)"; then
	if ! go test -c -o "$BENCH_TMP/craft-bench.test" ./craft/spec >&2; then
		echo "bench.sh: building the craft benchmarks failed; the row will fail" >&2
	fi
	bench_value "spec parse+build 3 layers CPU (scapy build)" "us" lower \
		'"$BENCH_TMP/craft-bench.test" -test.run "^$" -test.bench "^BenchmarkSpecParse$" -test.benchtime=200000x |
			awk "/^BenchmarkSpecParse/ { for (i = 2; i < NF; i++) if (\$(i+1) == \"cpu-ns/op\") { printf \"%.3f\n\", \$i / 1000; ok = 1 } } END { exit !ok }"' \
		'/usr/bin/python3 -c "
import time
from scapy.all import IP, ICMP, Raw
n = 3000
t = time.process_time()
for i in range(n):
    bytes(IP(src=\"10.0.0.1\", dst=\"10.0.0.2\", ttl=3, id=7, flags=\"DF\", tos=0x10)/ICMP(type=\"echo-request\", id=1, seq=1)/Raw(b\"hello\"))
print(\"%.3f\" % ((time.process_time() - t) / n * 1e6))
"'
fi
