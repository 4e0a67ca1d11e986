# traceroute rows: rawkit traceroute against Linux traceroute (UDP, -I,
# -T), tracepath and mtr on a lab chain of 8 routers, each holding what
# it sends for 5 ms each way (`rawkit lab up --routers 8 --delay 5ms`):
# the destination's round trip is about 82 ms and the floor of any trace.
# Sourced by scripts/bench.sh; namespaces and raw sockets need root (sudo
# when bench.sh is not root).
#
#   full trace  wall time of a trace to the server, 3 probes a hop, every
#               hop answering, process start included, against
#               `traceroute -n`, `-n -I`, `-n -T`, `tracepath -n` and
#               `mtr -n -r -c 1` (target: rawkit <= 0.9x the fastest)
#   silent hop  the same on a second chain whose router 3 sends no time
#               exceeded: default waits against `traceroute -n` (target
#               <= 1x), and `-w 1` against `traceroute -n -w 1` (target:
#               rawkit within 1 s + the round trip + 50 ms)
#   rtt         the destination's round trip as rawkit traceroute reports
#               it (median of 3 probes) against ping's, in ms: the floor
#   over rtt    a full trace timed from exec to exit by a shell inside the
#               client namespace (no `ip netns exec`, wrapper or grep in
#               the time), less the destination's round trip as the
#               trace reports it (median of its 3 probes): the ms a
#               trace costs above the floor, process start included,
#               against `traceroute -n` (target: rawkit within 20 ms)
#
#   cpu         user + system CPU time of 10 full traces run one after
#               another by a shell inside the client namespace (bash's
#               `times`: the traces alone, to the ms), in ms per trace,
#               against `traceroute -n` (target <= 1); its floor, the
#               CPU time of rawkit's process start alone (`rawkit
#               version`: the Go runtime and every package's
#               initialisation, measured the same way) against the
#               same traceroute runs; and below that, the CPU time of a
#               Go program whose main does nothing, built with the same
#               toolchain (the Go runtime's start alone)
#
#   IPv6        a full trace (3 probes a hop) to the server's IPv6 address
#               fd00:0:0:9::2 against rawkit's IPv4 trace to 10.0.9.2, for
#               UDP, -I and -T (target <= 1.1: within 10% of IPv4), on a
#               third 8-router chain without delay: netlab's NFQUEUE delay
#               holds IPv4 only, so on the delayed chain an IPv6 trace would
#               be compared with a slower path
#
# Each trace must reach the server (a hop line from 10.0.9.2, or
# fd00:0:0:9::2 for IPv6, and exit 0), or the run fails.
#
# The servers' ICMP error budget is raised. A trace sends its probes of
# every TTL at once, so the server gets some 66 (TTLs 9 to 30) and
# answers up to its budget, shared by IPv4 and IPv6: 50 at once, and none
# again until 20 ms have passed (icmp_msgs_burst, icmp_msgs_per_sec in
# ip-sysctl). On the chain without delay a trace takes 10 ms, so the next
# one, 3 ms later, found it spent, saw no answer from the server and
# waited out its 5 s.

TR_SUDO=
[ "$(id -u)" -eq 0 ] || TR_SUDO=sudo
export TR_SUDO

# The lab is set up when any of this file's rows is selected (by its full
# name, as bench.sh -f matches rows).
tr_rows=(
	"traceroute 8 routers x 5ms: vs traceroute -n"
	"traceroute 8 routers x 5ms: -I vs traceroute -n -I"
	"traceroute 8 routers x 5ms: -T vs traceroute -n -T"
	"traceroute 8 routers x 5ms: vs tracepath -n"
	"traceroute 8 routers x 5ms: vs mtr -n -r -c 1"
	"traceroute 8 routers x 5ms: CPU of one trace (ms, 10 traces) vs traceroute -n"
	"floor: CPU of rawkit's process start (rawkit version, ms) vs one traceroute -n trace"
	"floor: CPU of a Go program that does nothing (ms) vs one traceroute -n trace"
	"traceroute silent hop 3, default waits"
	"traceroute silent hop 3, -w 1"
	"traceroute destination RTT (8 routers x 5ms)"
	"traceroute full trace over the destination RTT (8 routers x 5ms)"
	"traceroute -6 8 routers: vs rawkit IPv4"
	"traceroute -6 8 routers: -I vs rawkit IPv4 -I"
	"traceroute -6 8 routers: -T vs rawkit IPv4 -T"
)
tr_selected=false
for r in "${tr_rows[@]}"; do
	bench_selected "$r" && tr_selected=true
done

# tr_budget LAB raises the ICMP error budget of LAB's server (see above).
tr_budget() {
	$TR_SUDO ip netns exec "rklab-$1-server" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000
}

if $tr_selected; then
	bench_need traceroute:traceroute tracepath:iputils-tracepath mtr:mtr-tiny iptables:iptables ping:iputils-ping
	install_pending
	$TR_SUDO "$RAWKIT" lab down --name bench >/dev/null 2>&1
	$TR_SUDO "$RAWKIT" lab down --name benchs >/dev/null 2>&1
	$TR_SUDO "$RAWKIT" lab down --name bench6 >/dev/null 2>&1
	$TR_SUDO "$RAWKIT" lab up --name bench6 --routers 8 >/dev/null &&
		$TR_SUDO "$RAWKIT" lab up --name bench --routers 8 --delay 5ms >/dev/null &&
		$TR_SUDO "$RAWKIT" lab up --name benchs --routers 8 --delay 5ms >/dev/null &&
		$TR_SUDO ip netns exec rklab-benchs-r3 iptables -w 10 -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP &&
		tr_budget bench && tr_budget bench6 && tr_budget benchs ||
		echo "bench.sh: traceroute lab setup failed: its rows will fail" >&2
	bench_cleanup '$TR_SUDO "$RAWKIT" lab down --name bench >/dev/null; $TR_SUDO "$RAWKIT" lab down --name benchs >/dev/null; $TR_SUDO "$RAWKIT" lab down --name bench6 >/dev/null'
fi

# tr-run.sh NS CMD...: runs CMD in the lab's client namespace and fails
# unless the server (10.0.9.2, or fd00:0:0:9::2 when CMD names it)
# answered.
cat >"$BENCH_TMP/tr-run.sh" <<'SH'
#!/usr/bin/env bash
ns=$1; shift
server='10\.0\.9\.2'
case " $* " in *" fd00:0:0:9::2 "*) server='fd00:0:0:9::2' ;; esac
out=$($TR_SUDO ip netns exec "rklab-$ns-client" "$@" 2>&1) || { echo "$out" | tail -n 1 >&2; exit 1; }
# A hop line whose responder is the server: traceroute " 9  10.0.9.2",
# tracepath " 9:  10.0.9.2", mtr "  9.|-- 10.0.9.2".
printf '%s\n' "$out" | grep -Eq "^ *[0-9]+[^ ]* +$server( |\$)" ||
	{ echo "did not reach $server: $(printf '%s\n' "$out" | tail -n 1)" >&2; exit 1; }
SH
chmod +x "$BENCH_TMP/tr-run.sh"

# tr-over.sh NS CMD...: runs CMD in the lab's client namespace, timed by
# the shell there from just before exec to just after exit, and prints
# that time less the destination's round trip as CMD reported it (the
# median of the server's hop line), in ms; fails unless the server
# answered.
cat >"$BENCH_TMP/tr-over.sh" <<'SH'
ns=$1; shift
exec $TR_SUDO ip netns exec "rklab-$ns-client" bash -c '
out=$(mktemp) || exit 1
trap "rm -f \"\$out\"" EXIT
s=$EPOCHREALTIME
"$@" >"$out" 2>&1
rc=$?
e=$EPOCHREALTIME
line=$(grep -E "^ *[0-9]+ +10\.0\.9\.2 " "$out")
[ "$rc" -eq 0 ] && [ -n "$line" ] || { echo "did not reach 10.0.9.2: $(tail -n 1 "$out")" >&2; exit 1; }
us=$(( ${e/./} - ${s/./} ))
printf "%s\n" "$line" | awk -v us="$us" "{
	n = 0
	for (i = 3; i < NF; i++) if (\$(i + 1) == \"ms\") r[++n] = \$i + 0
	if (n == 0) exit 1
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
	printf \"%.1f\\n\", us / 1000 - r[int((n + 1) / 2)]
}"
' bash "$@"
SH

bench_time "traceroute 8 routers x 5ms: vs traceroute -n" \
	'"$BENCH_TMP/tr-run.sh" bench "$RAWKIT" traceroute -n 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" bench traceroute -n 10.0.9.2'
bench_time "traceroute 8 routers x 5ms: -I vs traceroute -n -I" \
	'"$BENCH_TMP/tr-run.sh" bench "$RAWKIT" traceroute -n -I 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" bench traceroute -n -I 10.0.9.2'
bench_time "traceroute 8 routers x 5ms: -T vs traceroute -n -T" \
	'"$BENCH_TMP/tr-run.sh" bench "$RAWKIT" traceroute -n -T 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" bench traceroute -n -T 10.0.9.2'
bench_time "traceroute 8 routers x 5ms: vs tracepath -n" \
	'"$BENCH_TMP/tr-run.sh" bench "$RAWKIT" traceroute -n 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" bench tracepath -n 10.0.9.2'
bench_time "traceroute 8 routers x 5ms: vs mtr -n -r -c 1" \
	'"$BENCH_TMP/tr-run.sh" bench "$RAWKIT" traceroute -n 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" bench mtr -n -r -c 1 10.0.9.2'
# tr-cpu.sh NS CMD...: runs CMD 10 times in the lab's client namespace
# from one shell and prints the CPU time (user + system) the 10 took, per
# run, in ms, from bash's `times` (children's rusage): the shell runs
# no other child until it has read them; fails unless every trace
# reached the server (CMD `rawkit version` is no trace and only has to
# succeed).
cat >"$BENCH_TMP/tr-cpu-in.sh" <<'SH'
out=$(mktemp) tf=$(mktemp)
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$@" >"$out" 2>&1 || exit 1
	[ "${2:-}" = version ] && continue
	reached=false
	while read -r line; do
		[[ $line =~ ^[0-9]+\ +10\.0\.9\.2\  ]] && reached=true
	done <"$out"
	$reached || { echo "did not reach 10.0.9.2" >&2; exit 1; }
done
times >"$tf"
awk 'NR == 2 { ms = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); ms += (p[1] * 60 + p[2]) * 1000 }; printf "%.2f\n", ms / 10 }' "$tf"
rm -f "$out" "$tf"
SH
cat >"$BENCH_TMP/tr-cpu.sh" <<'SH'
ns=$1; shift
exec $TR_SUDO ip netns exec "rklab-$ns-client" bash "$BENCH_TMP/tr-cpu-in.sh" "$@"
SH
bench_value "traceroute 8 routers x 5ms: CPU of one trace (ms, 10 traces) vs traceroute -n" "ms" lower \
	'bash "$BENCH_TMP/tr-cpu.sh" bench "$RAWKIT" traceroute -n 10.0.9.2' \
	'bash "$BENCH_TMP/tr-cpu.sh" bench traceroute -n 10.0.9.2'
bench_value "floor: CPU of rawkit's process start (rawkit version, ms) vs one traceroute -n trace" "ms" lower \
	'bash "$BENCH_TMP/tr-cpu.sh" bench "$RAWKIT" version' \
	'bash "$BENCH_TMP/tr-cpu.sh" bench traceroute -n 10.0.9.2'
if bench_selected "floor: CPU of a Go program that does nothing (ms) vs one traceroute -n trace"; then
	mkdir -p "$BENCH_TMP/nothing"
	printf 'package main\n\nfunc main() {}\n' >"$BENCH_TMP/nothing/main.go"
	(cd "$BENCH_TMP/nothing" && CGO_ENABLED=0 GO111MODULE=off go build -o "$BENCH_TMP/nothing/nothing" main.go) >&2 ||
		echo "bench.sh: building the empty Go program failed; its row will fail" >&2
fi
bench_value "floor: CPU of a Go program that does nothing (ms) vs one traceroute -n trace" "ms" lower \
	'bash "$BENCH_TMP/tr-cpu.sh" bench "$BENCH_TMP/nothing/nothing" version' \
	'bash "$BENCH_TMP/tr-cpu.sh" bench traceroute -n 10.0.9.2'
bench_time "traceroute silent hop 3, default waits" \
	'"$BENCH_TMP/tr-run.sh" benchs "$RAWKIT" traceroute -n 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" benchs traceroute -n 10.0.9.2'
bench_time "traceroute silent hop 3, -w 1" \
	'"$BENCH_TMP/tr-run.sh" benchs "$RAWKIT" traceroute -n -w 1 10.0.9.2' \
	'"$BENCH_TMP/tr-run.sh" benchs traceroute -n -w 1 10.0.9.2'

bench_time "traceroute -6 8 routers: vs rawkit IPv4" \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n fd00:0:0:9::2' \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n 10.0.9.2'
bench_time "traceroute -6 8 routers: -I vs rawkit IPv4 -I" \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n -I fd00:0:0:9::2' \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n -I 10.0.9.2'
bench_time "traceroute -6 8 routers: -T vs rawkit IPv4 -T" \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n -T fd00:0:0:9::2' \
	'"$BENCH_TMP/tr-run.sh" bench6 "$RAWKIT" traceroute -n -T 10.0.9.2'

# The cost of a whole trace above the floor, process start included.
bench_value "traceroute full trace over the destination RTT (8 routers x 5ms)" "ms" lower \
	'bash "$BENCH_TMP/tr-over.sh" bench "$RAWKIT" traceroute -n 10.0.9.2' \
	'bash "$BENCH_TMP/tr-over.sh" bench traceroute -n 10.0.9.2'

# The floor: the destination's round trip, from the trace's last line
# against ping's.
bench_value "traceroute destination RTT (8 routers x 5ms)" "ms" lower \
	'$TR_SUDO ip netns exec rklab-bench-client "$RAWKIT" traceroute -n 10.0.9.2 | tail -n 1 | awk "{ print \$5 }"' \
	'$TR_SUDO ip netns exec rklab-bench-client ping -n -c 3 -i 0.2 10.0.9.2 | sed -n "s|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p"'
