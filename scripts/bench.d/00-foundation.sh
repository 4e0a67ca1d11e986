# Foundation rows: what every rawkit command pays before its real work.
# Sourced by scripts/bench.sh (see there for bench_need/bench_time).

bench_need ping:iputils-ping

# Process start and exit: the floor under every whole-command timing in
# the later rows (a trace or a sweep "process start included").
bench_time "start-up: rawkit version vs ping -V" \
	'for i in 1 2 3 4 5 6 7 8 9 10; do "$RAWKIT" version >/dev/null; done' \
	'for i in 1 2 3 4 5 6 7 8 9 10; do ping -V >/dev/null; done'
