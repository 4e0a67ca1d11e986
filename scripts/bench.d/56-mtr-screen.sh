# mtr screen row: the CPU the interactive display costs, rawkit mtr's
# screen against mtr 0.95's curses one (Debian's mtr-tiny), each in a
# 120x40 tmux pane in the client namespace of an 8-router lab chain
# (`rawkit lab up --routers 8`), probing the server 10.0.9.2 with -n (no
# name server is asked) at the default interval of 1 s.
#
#   CPU per minute  user+system CPU seconds of every process the command
#                   started (mtr's mtr-packet included), read from /proc
#                   after MS_SECONDS (default 30) and scaled to a minute
#                   (target: rawkit <= 1x mtr)
#
# Sourced by scripts/bench.sh; namespaces need root (sudo when bench.sh is
# not root).

ms_row="mtr screen 8 routers: CPU per minute vs mtr"

if bench_selected "$ms_row"; then
	MS_SUDO=
	[ "$(id -u)" -eq 0 ] || MS_SUDO=sudo
	export MS_SUDO MS_SECONDS=${MS_SECONDS:-30}
	bench_need mtr:mtr-tiny tmux:tmux
	install_pending
	$MS_SUDO "$RAWKIT" lab down --name benchm >/dev/null 2>&1
	if $MS_SUDO "$RAWKIT" lab up --name benchm --routers 8 >/dev/null; then
		bench_cleanup "$MS_SUDO \"$RAWKIT\" lab down --name benchm >/dev/null 2>&1"

		# mtr-screen-cpu.sh COMMAND...: COMMAND on a tmux pane for
		# MS_SECONDS, then the CPU seconds per minute of its processes;
		# q ends it and must end it within 10 s.
		cat >"$BENCH_TMP/mtr-screen-cpu.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
sock=$BENCH_TMP/mtr-screen-tmux.$$
tmux() { $MS_SUDO env tmux -S "$sock" -f /dev/null "$@"; }
tmux new-session -d -x 120 -y 40 "ip netns exec rklab-benchm-client $*"
trap 'tmux kill-server 2>/dev/null || true' EXIT
sleep "$MS_SECONDS"
# The pane's command leads its own session: sum over the session.
sid=$(tmux display-message -p '#{pane_pid}')
ticks=0
for pid in $(ps -s "$sid" -o pid=); do
	read -r -a f < <($MS_SUDO cat "/proc/$pid/stat" 2>/dev/null | sed 's/.*) //') || continue
	ticks=$((ticks + f[11] + f[12])) # utime, stime (fields 14, 15)
done
if ! grep -q 'Keys:' < <(tmux capture-pane -p); then
	echo "no screen on the pane after $MS_SECONDS s" >&2
	exit 1
fi
tmux send-keys q
for _ in $(seq 100); do
	[ -z "$(ps -s "$sid" -o pid= | tr -d ' \n')" ] && break
	tmux has-session 2>/dev/null || break
	sleep 0.1
done
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v s="$MS_SECONDS" 'BEGIN { printf "%.3f\n", t / hz * 60 / s }'
SH
		chmod +x "$BENCH_TMP/mtr-screen-cpu.sh"
		bench_value "$ms_row" "CPU s/min" lower \
			'"$BENCH_TMP/mtr-screen-cpu.sh" "$RAWKIT" mtr -n 10.0.9.2' \
			'"$BENCH_TMP/mtr-screen-cpu.sh" mtr -n 10.0.9.2'
	else
		echo "bench.sh: rawkit lab up --name benchm failed" >&2
	fi
fi
