# capture rows: rawkit capture against tcpdump and tshark. Sourced by
# scripts/bench.sh. Live capture needs root: the commands run under sudo
# when bench.sh is not root.
#
#   flood rate   `ping -f -w 5 127.0.0.1` while the loopback is captured to
#                a pcap file with an ICMP filter, echoes/s under rawkit
#                capture and under tcpdump -w (target: rawkit >= 0.95x);
#                rawkit's run fails unless every request ping sent and
#                every reply it received is captured and the kernel drops
#                none (tcpdump's shortfall, if any, is reported on
#                stderr). The echoes have
#                an unusual size and the filter selects that size, so that
#                other ICMP on lo does not count.
#   flood cpu    CPU seconds of the capturing process (all its threads,
#                from /proc/PID/task/*/schedstat) during that flood
#                (target: rawkit <= 1.2x tcpdump)
#   compile      microseconds to compile one filter, averaged over the
#                filter corpus (target <= 1000 µs); rawkit's figure is the
#                Go benchmark, tcpdump's is `tcpdump -d` per expression,
#                process start included, for scale
#   read         a 1-million-packet pcap of mixed traffic read with a filter
#                and printed, against tshark with the equivalent display
#                filter (target: rawkit at least 2x as fast, ratio <= 0.5)

bench_need tcpdump:tcpdump tshark:tshark ping:iputils-ping

CAP_SUDO=
[ "$(id -u)" -eq 0 ] || CAP_SUDO=sudo
export CAP_SUDO

cat >"$BENCH_TMP/capture-flood.sh" <<'SH'
#!/usr/bin/env bash
# capture-flood.sh rate|cpu rawkit|tcpdump: floods 127.0.0.1 for 5 s while
# the tool captures lo; prints echoes/s or the tool's CPU seconds.
set -u
mode=$1 tool=$2
out=$BENCH_TMP/flood.$tool.pcap err=$BENCH_TMP/flood.$tool.err
if [ "$tool" = rawkit ]; then
	"$RAWKIT" capture -i lo -w "$out" "icmp and ip[2:2] == 100" 2>"$err" &
else
	tcpdump -i lo -w "$out" "icmp and ip[2:2] == 100" 2>"$err" &
fi
pid=$!
for _ in $(seq 200); do
	grep -q "listening on" "$err" && break
	sleep 0.02
done
stats=$(ping -f -q -w 5 -s 72 127.0.0.1 | grep transmitted)
# CPU time on the clock of every thread (schedstat, ns): /proc/PID/stat's
# 10 ms ticks are too coarse for the ~0.1 s either tool uses.
cpu_ns=$(cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { print s }')
kill -INT "$pid"
wait "$pid"
tx=$(awk '{print $1}' <<<"$stats")
rx=$(awk '{print $4}' <<<"$stats")
cap=$(awk '/packets? captured/ {print $1}' "$err")
drop=$(awk '/dropped by kernel/ {print $1}' "$err")
rm -f "$out"
# Every echo ping counted must be there, request and reply. rawkit keeps
# the leaving copy of a packet on lo, so it has every request sent and
# perhaps replies ping did not count (too late, or dropped on arrival);
# tcpdump keeps the arriving copy, so requests dropped by the loopback
# backlog under load are missing from its file.
if [ "${cap:-0}" -lt $((tx + rx)) ] || [ "${cap:-0}" -gt $((2 * tx)) ] || [ "${drop:-x}" != 0 ]; then
	echo "$tool captured ${cap:-?} of $((tx + rx)) packets, ${drop:-?} dropped by kernel; it said: $(grep -v -e captured -e dropped "$err" | tr '\n' ' ')" >&2
	[ "$tool" = rawkit ] && exit 1
fi
case $mode in
rate) echo $((tx / 5)) ;;
cpu) awk -v ns="$cpu_ns" 'BEGIN { printf "%.4f\n", ns / 1e9 }' ;;
esac
SH
chmod +x "$BENCH_TMP/capture-flood.sh"

bench_value "capture lo during ping -f -w 5: flood rate" "echoes/s" higher \
	'${CAP_SUDO:+$CAP_SUDO -E} "$BENCH_TMP/capture-flood.sh" rate rawkit' \
	'${CAP_SUDO:+$CAP_SUDO -E} "$BENCH_TMP/capture-flood.sh" rate tcpdump'

bench_value "capture lo during ping -f -w 5: capture CPU" "s" lower \
	'${CAP_SUDO:+$CAP_SUDO -E} "$BENCH_TMP/capture-flood.sh" cpu rawkit' \
	'${CAP_SUDO:+$CAP_SUDO -E} "$BENCH_TMP/capture-flood.sh" cpu tcpdump'

# The filter corpus of capture/internal/corpus (its tcpdump-checkable part).
cat >"$BENCH_TMP/filters.txt" <<'EOF'
icmp
tcp
udp
arp
not ip
host 10.0.0.1
src host 10.0.0.2
host 10.0.0.1 or 10.0.0.2
net 10.0.0.0/8
net 192.168.0.0 mask 255.255.0.0
src net 172.16
port 53
tcp port 80
udp dst port 123
port 80 or 443
portrange 1000-2000
tcp portrange 20-30
proto 17
ip proto 1
ip6 proto 17
len > 100
greater 200
less 80
icmp[icmptype] == icmp-echo
icmp[0] == 3 or icmp[0] == 11
tcp[tcpflags] & (tcp-syn|tcp-ack) != 0
tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0
tcp[13] == 2
tcp[((tcp[12] & 0xf0) >> 2):1] == 0x47
udp[4:2] > 20
ip[8] < 5
ip[0] & 0xf > 5
ip[6:2] & 0x1fff != 0
host 10.0.0.1 and (tcp or icmp)
tcp and not port 22
src host 10.0.0.1 or dst host 10.0.0.2 and udp
ip6 host 2001:db8::1
ip6 net 2001:db8::/32
icmp6[icmp6type] == icmp6-echo
ether host 02:00:00:00:00:01
EOF
cat >"$BENCH_TMP/tcpdump-compile.sh" <<'SH'
#!/usr/bin/env bash
# Microseconds per `tcpdump -d EXPR` over the corpus.
n=0 t0=$EPOCHREALTIME
while IFS= read -r e; do
	tcpdump -d "$e" >/dev/null 2>&1 || exit 1
	n=$((n + 1))
done <"$BENCH_TMP/filters.txt"
awk -v a="$t0" -v b="$EPOCHREALTIME" -v n=$n 'BEGIN { printf "%.1f\n", (b - a) * 1e6 / n }'
SH
chmod +x "$BENCH_TMP/tcpdump-compile.sh"
bench_value "filter compile, corpus average (peer: tcpdump -d incl. process start)" "us/expr" lower \
	'go test -run XXX -bench BenchmarkCompile -benchtime 300x ./capture/filter | awk "/expr/ { for (i = 1; i < NF; i++) if (\$(i+1) ~ /expr/) v = \$i } END { if (v == \"\") exit 1; print v }"' \
	'"$BENCH_TMP/tcpdump-compile.sh"'

if bench_selected "read 1M-packet pcap"; then
	RAWKIT_BENCH_PCAP="$BENCH_TMP/1m.pcap" go test -count=1 -run TestWriteBenchFile ./capture >/dev/null ||
		echo "bench.sh: could not write the 1M-packet pcap: its row will fail" >&2
fi
bench_time "read 1M-packet pcap, filter, print summaries" \
	'"$RAWKIT" capture -r "$BENCH_TMP/1m.pcap" "tcp[tcpflags] & tcp-syn != 0 or icmp" >/dev/null' \
	'tshark -n -r "$BENCH_TMP/1m.pcap" -Y "tcp.flags.syn == 1 or icmp" >/dev/null'
