# raw rows: sending header-included packets, one write per packet against
# WriteBatch (sendmmsg). Sourced by scripts/bench.sh.
#
# Both sides are rawkit's own: the "peer" column is single writes, so
# RAWKIT/PEER is the batch speed-up (target: 1.5 or more). The figures come
# from BenchmarkSendHeaderIncluded (raw/priv_bench_linux_test.go), which
# sends 64-byte packets to the loopback of a namespace of its own.
#
# Two more rows give the yardstick: BenchmarkSendHeaderIncludedFloor sends
# the same packets with bare sendto(2) and sendmmsg(2) system calls on a
# socket outside the runtime poller, with no rawkit code in the loop. Its
# batch/single ratio is what batching can give at all on this kernel and
# machine; "rawkit batch vs floor batch" shows how close WriteBatch comes
# to it (1.0 = no overhead of its own).

raw_rows=(
	"hdrincl send 64B pps: batch vs single"
	"hdrincl send 64B pps: floor sendmmsg vs floor sendto"
	"hdrincl send 64B pps: rawkit batch vs floor batch"
)
raw_selected=false
for r in "${raw_rows[@]}"; do
	bench_selected "$r" && raw_selected=true
done

if $raw_selected; then
	if ! go test -c -tags privileged -o "$BENCH_TMP/raw-bench.test" ./raw >&2; then
		echo "bench.sh: building the raw benchmarks failed; the row will fail" >&2
	fi
	# raw-pps.sh BENCH SUB runs one sub-benchmark as root and prints its
	# packets/s. RAWKIT_PRIVILEGED=1 turns a missing privilege into a
	# failure instead of a skip.
	cat >"$BENCH_TMP/raw-pps.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo env RAWKIT_PRIVILEGED=1 "$BENCH_TMP/raw-bench.test" -test.run '^$' \
	-test.bench "^$1\$/^$2\$" -test.benchtime=200000x |
	awk '{ for (i = 2; i <= NF; i++) if ($i == "pkts/s") v = $(i-1) }
		END { if (v == "") exit 1; print v }'
SH
	chmod +x "$BENCH_TMP/raw-pps.sh"
	bench_value "hdrincl send 64B pps: batch vs single" "pkts/s" higher \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncluded batch' \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncluded single'
	bench_value "hdrincl send 64B pps: floor sendmmsg vs floor sendto" "pkts/s" higher \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncludedFloor batch' \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncludedFloor single'
	bench_value "hdrincl send 64B pps: rawkit batch vs floor batch" "pkts/s" higher \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncluded batch' \
		'"$BENCH_TMP/raw-pps.sh" BenchmarkSendHeaderIncludedFloor batch'
fi
