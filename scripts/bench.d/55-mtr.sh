# mtr rows: `rawkit mtr -n -r` against mtr 0.95 (Debian's mtr-tiny) on a
# lab chain of 4 routers, each holding what it sends for 2 ms each way
# (`rawkit lab up --routers 4 --delay 2ms`), at the default 1 s interval.
# Sourced by scripts/bench.sh; namespaces and raw sockets need root (sudo
# when bench.sh is not root).
#
#   -c 10   wall time of a 10-round report, process start included: mtr
#           waits a fixed grace (5 s) after its last round; rawkit ends
#           when the last round is answered (target: rawkit <= 0.63x,
#           that is at most 9 intervals + the slowest round trip + 100 ms)
#   -c 1    the same for one round (target: rawkit <= 0.03x)
#
# Each report must show the server (a hop line from 10.0.5.2), or the run
# fails.

MTR_SUDO=
[ "$(id -u)" -eq 0 ] || MTR_SUDO=sudo
export MTR_SUDO

mtr_rows=(
	"mtr -n -r -c 10, 4 routers x 2ms: vs mtr 0.95"
	"mtr -n -r -c 1, 4 routers x 2ms: vs mtr 0.95"
)
mtr_selected=false
for r in "${mtr_rows[@]}"; do
	bench_selected "$r" && mtr_selected=true
done

if $mtr_selected; then
	bench_need mtr:mtr-tiny iptables:iptables
	install_pending
	$MTR_SUDO "$RAWKIT" lab down --name benchmtr >/dev/null 2>&1
	$MTR_SUDO "$RAWKIT" lab up --name benchmtr --routers 4 --delay 2ms >/dev/null ||
		echo "bench.sh: mtr lab setup failed: its rows will fail" >&2
	bench_cleanup '$MTR_SUDO "$RAWKIT" lab down --name benchmtr >/dev/null'
fi

# mtr-run.sh CMD...: runs CMD in the lab's client namespace and fails
# unless the report has the server's hop line.
cat >"$BENCH_TMP/mtr-run.sh" <<'SH'
#!/usr/bin/env bash
out=$($MTR_SUDO ip netns exec rklab-benchmtr-client "$@" 2>&1) || { echo "$out" | tail -n 1 >&2; exit 1; }
printf '%s\n' "$out" | grep -Eq '^ +[0-9]+\.\|-- 10\.0\.5\.2 ' ||
	{ echo "did not reach 10.0.5.2: $(printf '%s\n' "$out" | tail -n 1)" >&2; exit 1; }
SH
chmod +x "$BENCH_TMP/mtr-run.sh"

bench_time "mtr -n -r -c 10, 4 routers x 2ms: vs mtr 0.95" \
	'"$BENCH_TMP/mtr-run.sh" "$RAWKIT" mtr -n -r -c 10 10.0.5.2' \
	'"$BENCH_TMP/mtr-run.sh" mtr -n -r -c 10 10.0.5.2'
bench_time "mtr -n -r -c 1, 4 routers x 2ms: vs mtr 0.95" \
	'"$BENCH_TMP/mtr-run.sh" "$RAWKIT" mtr -n -r -c 1 10.0.5.2' \
	'"$BENCH_TMP/mtr-run.sh" mtr -n -r -c 1 10.0.5.2'
