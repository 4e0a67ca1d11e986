# endpoint rows: rawkit serve against socat and iperf3 on loopback, every
# server driven by the same client, `rawkit connect --echo-test`, which
# checks every echoed byte. Sourced by scripts/bench.sh. No root needed.
#
#   tcp echo 1 / 64 conns  64-byte round trips/s, rawkit serve vs
#                          `socat TCP-LISTEN:PORT,fork,reuseaddr PIPE`
#                          (targets >= 0.9 at 1, >= 1.5 at 64), unpinned and
#                          with server and client pinned to CPU 0
#   udp echo               64-byte datagram round trips/s vs socat's UDP echo,
#                          one client in lockstep (target >= 1.1), and the
#                          99th percentile of those round trips in µs, as
#                          the client measures it (target <= socat's), and
#                          the server's CPU time per round trip
#   64 KiB throughput      one connection's echoed bytes/s vs iperf3's
#                          loopback bytes/s (target >= 0.5)
#   10,000 idle conns      server RSS holding them, MB; the peer column is
#                          the 200 MB target
#
# rawkit's runs fail if any round trip fails or any echo differs; socat's
# failed round trips (it drops some under load) do not fail its runs but
# are counted in $BENCH_TMP/socat-failures and printed after the rows.
# Every command is bounded by timeout(1).

bench_need socat:socat iperf3:iperf3 taskset:util-linux python3:python3 ss:iproute2 /usr/bin/time:time pgrep:procps

# wait-listen.sh PORT: waits (5 s at most) until something listens there.
cat >"$BENCH_TMP/wait-listen.sh" <<'SH'
#!/usr/bin/env bash
for _ in $(seq 100); do
	ss -Hlntu "sport = :$1" | grep -q . && exit 0
	sleep 0.05
done
echo "nothing listens on port $1" >&2
exit 1
SH
chmod +x "$BENCH_TMP/wait-listen.sh"

# echo-row.sh SERVER PROTO CONNS MSGS [PIN] [cpu]: starts the server
# (rawkit or socat) on a free loopback port, runs the echo test, stops the
# server and prints intact round trips per second (or echoed bytes per
# second with PROTO tcp64k); with ECHO_FIELD=p99 in its environment, the
# client's 99th percentile round trip in µs. With "cpu" it prints instead the server's CPU
# time (user+sys, socat's forked children included) per intact round
# trip, in microseconds: a figure that other load on the machine bends
# less than a rate, since a busy machine gives socat's 64 processes a
# larger share of the CPUs than rawkit's few threads.
cat >"$BENCH_TMP/echo-row.sh" <<'SH'
#!/usr/bin/env bash
set -u
server=$1 proto=$2 conns=$3 msgs=$4 pin=${5:-} cpu=${6:-}
run=()
[ -n "$pin" ] && run=(taskset -c "$pin")
[ -n "$cpu" ] && run+=(/usr/bin/time -f "%U %S" -o "$BENCH_TMP/srv.$$.time")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
net=tcp size=64 window=1 field=round_trips_per_s
case $proto in
udp) net=udp ;;
tcp64k) size=65536 window=4 field=bytes_per_s ;;
esac
case $server in
rawkit) "${run[@]}" timeout 300 "$RAWKIT" serve "$net" "127.0.0.1:$port" >/dev/null & ;;
socat)
	if [ "$net" = udp ]; then
		"${run[@]}" timeout 300 socat "UDP-LISTEN:$port,bind=127.0.0.1" PIPE &
	else
		"${run[@]}" timeout 300 socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" PIPE &
	fi ;;
esac
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
"$BENCH_TMP/wait-listen.sh" "$port" || exit 1
[ "${ECHO_FIELD:-}" = p99 ] && field=p99
[ -n "$cpu" ] && run=() # the client runs unwrapped
[ -n "$pin" ] && run=(taskset -c "$pin")
"${run[@]}" timeout 120 "$RAWKIT" connect "$net" "127.0.0.1:$port" --echo-test "$msgs" --size "$size" \
	--concurrency "$conns" --window "$window" --timeout 2s --json >"$BENCH_TMP/echo.$$.json"
rc=$?
if [ -n "$cpu" ]; then
	# Stop the server through timeout(1), time(1)'s child, which passes
	# SIGTERM on; time(1) then writes its figures. socat has reaped its
	# children as their connections ended.
	sleep 0.2
	pkill -TERM -P $srv
	wait $srv 2>/dev/null
	trap - EXIT
	field="cpu:$(tail -n 1 "$BENCH_TMP/srv.$$.time")" # after any "exited with status" line
fi
python3 - "$BENCH_TMP/echo.$$.json" "$field" "$server" "$BENCH_TMP/socat-failures" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = r["sent"] - r["round_trips"] + r["late"] + r["failed_connections"]
if bad and sys.argv[3] == "socat":
    with open(sys.argv[4], "a") as f:
        f.write("%s %d conns: %d of %d round trips failed %s\n" % (r["network"], r["connections"], bad, r["sent"], [e["error"] for e in r["errors"]]))
if sys.argv[2].startswith("cpu:"):
    user, system = map(float, sys.argv[2][4:].split())
    print("%.2f" % ((user + system) * 1e6 / r["round_trips"]))
elif sys.argv[2] == "p99":
    print("%.1f" % r["latency_us"]["p99"])
else:
    print("%.0f" % r[sys.argv[2]])
PY
[ "$server" = socat ] || exit $rc
SH
chmod +x "$BENCH_TMP/echo-row.sh"

bench_value "tcp echo 64 B, 1 conn" "round trips/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp 1 50000' \
	'"$BENCH_TMP/echo-row.sh" socat tcp 1 50000'
bench_value "tcp echo 64 B, 64 conns" "round trips/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp 64 5000' \
	'"$BENCH_TMP/echo-row.sh" socat tcp 64 5000'
bench_value "tcp echo 64 B, 1 conn, pinned CPU 0" "round trips/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp 1 50000 0' \
	'"$BENCH_TMP/echo-row.sh" socat tcp 1 50000 0'
bench_value "tcp echo 64 B, 64 conns, pinned CPU 0" "round trips/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp 64 5000 0' \
	'"$BENCH_TMP/echo-row.sh" socat tcp 64 5000 0'
bench_value "tcp echo 64 B, 64 conns: server CPU per round trip" "us" lower \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp 64 5000 "" cpu' \
	'"$BENCH_TMP/echo-row.sh" socat tcp 64 5000 "" cpu'
bench_value "udp echo 64 B, 1 socket" "round trips/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit udp 1 50000' \
	'"$BENCH_TMP/echo-row.sh" socat udp 1 50000'
bench_value "udp echo 64 B, 1 socket: server CPU per round trip" "us" lower \
	'"$BENCH_TMP/echo-row.sh" rawkit udp 1 50000 "" cpu' \
	'"$BENCH_TMP/echo-row.sh" socat udp 1 50000 "" cpu'
bench_value "udp echo 64 B, 1 socket: p99 round trip" "us" lower \
	'ECHO_FIELD=p99 "$BENCH_TMP/echo-row.sh" rawkit udp 1 50000' \
	'ECHO_FIELD=p99 "$BENCH_TMP/echo-row.sh" socat udp 1 50000'

# iperf-bytes.sh: one iperf3 connection for 3 s with 64 KiB writes on
# loopback; prints the receiver's bytes per second.
cat >"$BENCH_TMP/iperf-bytes.sh" <<'SH'
#!/usr/bin/env bash
set -u
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 60 iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
"$BENCH_TMP/wait-listen.sh" "$port"
timeout 60 iperf3 -c 127.0.0.1 -p "$port" -t 3 -l 64K -J >"$BENCH_TMP/iperf.$$.json" || exit 1
python3 -c 'import json, sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 8))' "$BENCH_TMP/iperf.$$.json"
SH
chmod +x "$BENCH_TMP/iperf-bytes.sh"

bench_value "tcp echo 64 KiB messages, 1 conn vs iperf3" "bytes/s" higher \
	'"$BENCH_TMP/echo-row.sh" rawkit tcp64k 1 40000' \
	'"$BENCH_TMP/iperf-bytes.sh"'

# idle-rss.sh N: a rawkit echo server, N connections that each make one
# round trip and then sit idle; prints the server's resident memory in MB
# while it holds them.
cat >"$BENCH_TMP/idle-rss.sh" <<'SH'
#!/usr/bin/env bash
set -u
n=$1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$RAWKIT" serve tcp "127.0.0.1:$port" --max-conns $((n + 100)) >/dev/null &
srv=$! # not under timeout(1): its own pid is the one to measure
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
"$BENCH_TMP/wait-listen.sh" "$port"
timeout 120 python3 - "$port" "$n" "$srv" <<'PY'
import resource, socket, sys
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
need = n + 100
if hard < need:
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
    except (ValueError, OSError):
        sys.exit("RLIMIT_NOFILE hard limit %d is under %d" % (hard, need))
else:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
conns = []
for i in range(n):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"x")
    conns.append(c)
for c in conns:
    if c.recv(1) != b"x":
        sys.exit("connection closed before its echo")
for line in open("/proc/%d/status" % pid):
    if line.startswith("VmRSS:"):
        print("%.1f" % (int(line.split()[1]) / 1024))
PY
SH
chmod +x "$BENCH_TMP/idle-rss.sh"

bench_value "10000 idle conns, server RSS (peer = 200 MB target)" "MB" lower \
	'"$BENCH_TMP/idle-rss.sh" 10000' \
	'echo 200'

if [ -s "$BENCH_TMP/socat-failures" ]; then
	echo "bench.sh: socat's failed round trips (rawkit had none):" >&2
	sort "$BENCH_TMP/socat-failures" | uniq -c >&2
fi
