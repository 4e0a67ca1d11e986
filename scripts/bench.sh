#!/usr/bin/env bash
# Side-by-side benchmarks: rawkit against the tool people use for the same
# job (iputils ping, fping, traceroute, tcpdump, hping3, ...), run in
# turn on this machine, with medians and the ratio rawkit/peer per row.
#
#   scripts/bench.sh [-n RUNS] [-f REGEX] [-o FILE] [-b BINARY] [-a BINARY]
#   scripts/bench.sh --self-test
#
#   -n RUNS    runs of each command per row (default 5)
#   -f REGEX   only the rows whose name matches REGEX (bash =~)
#   -o FILE    also write the table as markdown to FILE
#   -b BINARY  use this rawkit binary instead of building one
#   -a BINARY  against another rawkit build instead of the peer tools: the
#              "peer" of each row is its rawkit command run with BINARY,
#              so the ratio is this build over that one (rows whose rawkit
#              command is a Go benchmark compare the tree with itself)
#
# The rows live in scripts/bench.d/*.sh, sourced in name order. A row file
# calls:
#
#   bench_need PKG|CMD:PKG...     apt-install what is missing (before its rows run)
#   bench_time  "row name" "rawkit command" "peer command"
#       wall time and CPU time (user+sys of the command and its children)
#   bench_value "row name" "unit" higher|lower "rawkit command" "peer command"
#       each command prints one number as the last line of its stdout;
#       higher|lower says which way is better
#   bench_selected "row name"     true if -f selects the row (to skip costly setup)
#   bench_cleanup "command"       run when bench.sh exits
#
# Commands run with `bash -c`, with $RAWKIT (the binary) and $BENCH_TMP (a
# scratch directory) exported. rawkit and the peer run alternately, RUNS
# times each, the first to go swapping every round, so that drift of the
# machine hits both alike. A command that exits non-zero marks its row
# FAIL with its last line of stderr; bench.sh then exits 1.
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS=5
FILTER=
MDFILE=
BINARY=
AGAINST=
SELFTEST=

usage() {
	sed -n '/^#   scripts\/bench.sh \[/,/^#   -b/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-n)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: bad run count \"${2:-}\"" >&2; exit 2; }
		RUNS=$2
		shift 2
		;;
	-f)
		[ $# -ge 2 ] || usage
		FILTER=$2
		shift 2
		;;
	-o)
		[ $# -ge 2 ] || usage
		MDFILE=$2
		shift 2
		;;
	-b)
		[ -x "${2:-}" ] || { echo "bench.sh: not an executable: \"${2:-}\"" >&2; exit 2; }
		BINARY=$2
		shift 2
		;;
	-a)
		[ -x "${2:-}" ] || { echo "bench.sh: not an executable: \"${2:-}\"" >&2; exit 2; }
		AGAINST=$(realpath "$2")
		shift 2
		;;
	--self-test) SELFTEST=1; shift ;;
	-h | --help) usage ;;
	*) echo "bench.sh: unknown argument \"$1\"" >&2; usage ;;
	esac
done

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rawkit-bench.XXXXXX")
export BENCH_TMP
CLEANUPS=()
bench_cleanup() { CLEANUPS+=("$1"); }
on_exit() {
	local c
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		c=${CLEANUPS[i]}
		bash -c "$c" || echo "bench.sh: cleanup failed: $c" >&2
	done
	rm -rf "$BENCH_TMP"
}
trap on_exit EXIT

# ---- installing peers ----

PENDING_NEED=()
APT_UPDATED=
bench_need() { PENDING_NEED+=("$@"); }

# install_pending installs what bench_need asked for, once a selected row
# of the file is about to run.
install_pending() {
	local spec cmd pkg missing=() sudo=
	for spec in "${PENDING_NEED[@]}"; do
		if [[ $spec == *:* ]]; then
			cmd=${spec%%:*} pkg=${spec#*:}
			command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
		else
			dpkg-query -W -f='${Status}' "$spec" 2>/dev/null | grep -q "install ok installed" || missing+=("$spec")
		fi
	done
	PENDING_NEED=()
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "bench.sh: installing ${missing[*]}" >&2
	if [ -z "$APT_UPDATED" ]; then
		$sudo apt-get update -qq >&2 && APT_UPDATED=1
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		echo "bench.sh: could not install ${missing[*]}: their rows will fail" >&2
}

# ---- measuring ----

# child_cpu sets CPU_MS to the user+sys milliseconds of the shell's
# waited-for children so far. times(1) must run in this shell (a
# subshell starts its counts from zero) and nothing here forks, so the
# bookkeeping adds no CPU of its own.
child_cpu() {
	local u s line=
	times >"$BENCH_TMP/.times"
	{ read -r _ _; read -r u s; } <"$BENCH_TMP/.times"
	CPU_MS=0
	for line in "$u" "$s"; do
		[[ $line =~ ^([0-9]+)m([0-9]+)\.([0-9]{3})s$ ]] || continue
		CPU_MS=$((CPU_MS + BASH_REMATCH[1] * 60000 + 10#${BASH_REMATCH[2]} * 1000 + 10#${BASH_REMATCH[3]}))
	done
}

# run_once CMD: runs it; sets WALL, CPU (seconds), RC; stdout in
# $BENCH_TMP/.out, stderr in $BENCH_TMP/.err.
run_once() {
	local c0 t0 t1
	child_cpu
	c0=$CPU_MS
	t0=$EPOCHREALTIME
	bash -c "$1" >"$BENCH_TMP/.out" 2>"$BENCH_TMP/.err" </dev/null
	RC=$?
	t1=$EPOCHREALTIME
	child_cpu
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
	CPU=$(awk -v d="$((CPU_MS - c0))" 'BEGIN { printf "%.3f", d / 1000 }')
}

median() { # numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# failure describes a failed run for its row.
failure() {
	local why
	why=$(grep -v '^[[:space:]]*$' "$BENCH_TMP/.err" | tail -n 1 | cut -c1-100)
	echo "exit $RC${why:+: $why}"
}

bench_selected() { [ -z "$FILTER" ] || [[ $1 =~ $FILTER ]]; }

# ---- the table ----

T_ROW=() T_METRIC=() T_RK=() T_PEER=() T_RATIO=() T_BETTER=() T_NOTE=()
FAILED=0

add_row() { # row metric rawkit peer direction note
	local ratio=- better=-
	if [ -z "$6" ]; then
		ratio=$(awk -v a="$3" -v b="$4" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }')
		better=$(awk -v a="$3" -v b="$4" -v d="$5" 'BEGIN {
			if (a == b) print "tie"
			else if ((d == "higher") == (a > b)) print "rawkit"
			else print "peer"
		}')
	else
		FAILED=1
	fi
	T_ROW+=("$1") T_METRIC+=("$2") T_RK+=("$3") T_PEER+=("$4") T_RATIO+=("$ratio") T_BETTER+=("$better") T_NOTE+=("${6:-}")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ratio" "$better" "${6:-}" >"$BENCH_TMP/.last"
}

# peer_of RAWKIT-CMD PEER-CMD prints the command to run as the peer:
# PEER-CMD, or with -a the rawkit command run with the other build.
peer_of() {
	if [ -n "$AGAINST" ]; then
		printf 'RAWKIT=%q; export RAWKIT; %s' "$AGAINST" "$1"
	else
		printf '%s' "$2"
	fi
}

# run_pair CMD1 CMD2 KIND: RUNS alternating runs; fills A_VALS/B_VALS
# ("wall cpu" or "value" lines) and NOTE on failure.
run_pair() {
	local i first second who cmd v
	: >"$BENCH_TMP/.a" && : >"$BENCH_TMP/.b"
	NOTE=
	for ((i = 0; i < RUNS; i++)); do
		if ((i % 2 == 0)); then first=a second=b; else first=b second=a; fi
		for who in $first $second; do
			if [ $who = a ]; then cmd=$1; else cmd=$2; fi
			run_once "$cmd"
			if [ $RC -ne 0 ]; then
				NOTE="FAIL: $( [ $who = a ] && echo rawkit || echo peer) $(failure)"
				return 1
			fi
			if [ "$3" = value ]; then
				v=$(tail -n 1 "$BENCH_TMP/.out" | tr -d '[:space:]')
				if ! [[ $v =~ ^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]]; then
					NOTE="FAIL: $( [ $who = a ] && echo rawkit || echo peer) printed \"$(tail -n 1 "$BENCH_TMP/.out" | cut -c1-40)\", not a number"
					return 1
				fi
				echo "$v" >>"$BENCH_TMP/.$who"
			else
				echo "$WALL $CPU" >>"$BENCH_TMP/.$who"
			fi
		done
	done
}

bench_time() { # name rawkit-cmd peer-cmd
	if [ $# -ne 3 ]; then
		echo "bench.sh: bench_time wants 3 arguments, got $#: $*" >&2
		add_row "${1:-?}" "wall s" - - lower "FAIL: bad bench_time call"
		return 0
	fi
	bench_selected "$1" || return 0
	install_pending
	echo "bench.sh: $1" >&2
	if ! run_pair "$2" "$(peer_of "$2" "$3")" time; then
		add_row "$1" "wall s" - - lower "$NOTE"
		return 0
	fi
	add_row "$1" "wall s" "$(awk '{print $1}' "$BENCH_TMP/.a" | median)" "$(awk '{print $1}' "$BENCH_TMP/.b" | median)" lower ""
	add_row "$1" "cpu s" "$(awk '{print $2}' "$BENCH_TMP/.a" | median)" "$(awk '{print $2}' "$BENCH_TMP/.b" | median)" lower ""
}

bench_value() { # name unit higher|lower rawkit-cmd peer-cmd
	if [ $# -ne 5 ] || [[ $3 != higher && $3 != lower ]]; then
		echo "bench.sh: bench_value wants NAME UNIT higher|lower RAWKIT PEER, got: $*" >&2
		add_row "${1:-?}" "${2:-?}" - - lower "FAIL: bad bench_value call"
		return 0
	fi
	bench_selected "$1" || return 0
	install_pending
	echo "bench.sh: $1" >&2
	if ! run_pair "$4" "$(peer_of "$4" "$5")" value; then
		add_row "$1" "$2" - - "$3" "$NOTE"
		return 0
	fi
	add_row "$1" "$2 ($3 better)" "$(median <"$BENCH_TMP/.a")" "$(median <"$BENCH_TMP/.b")" "$3" ""
}

print_table() {
	local i n=${#T_ROW[@]}
	{
		printf 'ROW\tMETRIC\tRAWKIT\tPEER\tRAWKIT/PEER\tBETTER\tNOTE\n'
		for ((i = 0; i < n; i++)); do
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${T_ROW[i]}" "${T_METRIC[i]}" "${T_RK[i]}" \
				"${T_PEER[i]}" "${T_RATIO[i]}" "${T_BETTER[i]}" "${T_NOTE[i]}"
		done
	} | column -t -s $'\t'
	[ -n "$MDFILE" ] || return 0
	{
		echo "| row | metric | rawkit | peer | rawkit/peer | better | note |"
		echo "|---|---|---:|---:|---:|---|---|"
		for ((i = 0; i < n; i++)); do
			printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${T_ROW[i]//|/\\|}" "${T_METRIC[i]}" "${T_RK[i]}" \
				"${T_PEER[i]}" "${T_RATIO[i]}" "${T_BETTER[i]}" "${T_NOTE[i]//|/\\|}"
		done
		echo
		echo "Medians of $RUNS alternating runs each, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r)."
	} >"$MDFILE"
}

# self_test checks the harness with rows whose results are known.
self_test() {
	RUNS=3
	bench_time "self: sleep" "sleep 0.1" "sleep 0.4"
	bench_time "self: cpu" "i=0; while ((i < 200000)); do ((i++)); done" "sleep 0.05"
	bench_value "self: higher" "n" higher "echo noise; echo 10" "echo 5"
	bench_value "self: lower" "n" lower "echo 2.5e1" "echo 5"
	bench_time "self: failing" "true" "echo broken >&2; exit 3"
	bench_value "self: not a number" "n" higher "echo abc" "echo 1"
	AGAINST=/bin/true bench_value "self: against" "n" higher 'echo ${#RAWKIT}' "echo 1"
	FILTER='^self: sleep$' bench_time "self: filtered out" "false" "false"
	print_table
	local want got ok=1
	check() { # index field want-regex
		got=$(awk -F'\t' -v i="$1" -v f="$2" 'NR == i + 1 { print $f }' "$BENCH_TMP/.table")
		if ! [[ $got =~ $3 ]]; then
			echo "self-test: row $1 field $2 is \"$got\", want /$3/" >&2
			ok=
		fi
	}
	for ((i = 0; i < ${#T_ROW[@]}; i++)); do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${T_ROW[i]}" "${T_METRIC[i]}" "${T_RK[i]}" \
			"${T_PEER[i]}" "${T_RATIO[i]}" "${T_BETTER[i]}" "${T_NOTE[i]}"
	done >"$BENCH_TMP/.table"
	want=9
	[ ${#T_ROW[@]} -eq $want ] || { echo "self-test: ${#T_ROW[@]} rows, want $want" >&2; ok=; }
	check 0 5 '^0\.[2-5][0-9]*$'                # sleep 0.1 / sleep 0.4: 0.25, plus noise
	check 0 6 '^rawkit$'
	check 1 3 '^(0|0\.0[0-9]*|[0-9.]+e-[0-9]+)$' # sleep uses next to no CPU
	check 2 3 '^[0-9]'                          # the busy loop's wall time
	check 3 3 '^(0\.[1-9]|[1-9])'                # ... and its CPU, counted from the child bash
	check 3 6 '^peer$'
	check 4 2 '^n \(higher better\)$'
	check 4 5 '^2\.000$'
	check 4 6 '^rawkit$'
	check 5 5 '^5\.000$'
	check 5 6 '^peer$'
	check 6 7 '^FAIL: peer exit 3: broken$'
	check 7 7 '^FAIL: rawkit printed "abc", not a number$'
	check 8 3 '^10$' # RAWKIT is /bin/false ...
	check 8 4 '^9$'  # ... and with -a the peer runs the rawkit command with /bin/true
	if [ -n "$ok" ]; then
		echo "self-test: ok"
		return 0
	fi
	return 1
}

if [ -n "$SELFTEST" ]; then
	export RAWKIT=/bin/false
	self_test
	exit
fi

if [ -n "$BINARY" ]; then
	RAWKIT=$(realpath "$BINARY")
else
	RAWKIT=$BENCH_TMP/rawkit
	# rawkit-exporter next to it: `rawkit exporter` executes it.
	echo "bench.sh: CGO_ENABLED=0 go build -o $BENCH_TMP/ ./cmd/rawkit ./cmd/rawkit/rawkit-exporter" >&2
	CGO_ENABLED=0 go build -o "$BENCH_TMP/" ./cmd/rawkit ./cmd/rawkit/rawkit-exporter || { echo "bench.sh: building rawkit failed" >&2; exit 1; }
fi
export RAWKIT

for f in scripts/bench.d/*.sh; do
	[ -e "$f" ] || continue
	PENDING_NEED=()
	# shellcheck source=/dev/null
	source "$f"
done
if [ ${#T_ROW[@]} -eq 0 ]; then
	echo "bench.sh: no rows${FILTER:+ match /$FILTER/}" >&2
	exit 1
fi
print_table
exit $FAILED
