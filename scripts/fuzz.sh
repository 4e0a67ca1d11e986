#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each
# (FUZZTIME, default 10s), one after another, and prints the time and
# executions of each. scripts/test.sh runs it after the unit tests.
#
#   scripts/fuzz.sh              # every target, 10 s each
#   FUZZTIME=30s scripts/fuzz.sh ./capture/...   # these packages' only
#
# A failing input stops the run with status 1; go test has written it to
# the package's testdata/fuzz/FuzzNAME/, where committing it makes it a
# regression seed that every plain `go test` replays.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}

# go test -list prints a package's matching names, then its "ok" line.
targets=()
names=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for n in "${names[@]}"; do
			targets+=("$pkg $n")
		done
		names=()
		;;
	esac
done < <(go test -list '^Fuzz' "${@:-./...}")

echo "${#targets[@]} fuzz targets, $fuzztime each"
# Go 1.26's fuzz coordinator can end a run at the -fuzztime deadline with
# a bare "context deadline exceeded" and no failing input (a race between
# its deadline and its workers: go.dev/issue/75804, fixed in Go 1.27). A
# run fails the script only when it wrote an input; the race is reported.
inputs() { { find "$1" -type f 2>/dev/null || true; } | sort; }
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	corpus="$(go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name"
	before=$(inputs "$corpus")
	log=$(mktemp)
	status=0
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1 || status=$?
	# The last progress line: "fuzz: elapsed: 10s, execs: 123456 (12345/sec), ..."
	last=$(grep -o 'elapsed: [^,]*, execs: [0-9]* ([0-9]*/sec)' "$log" | tail -1 || true)
	if [ "$status" -ne 0 ]; then
		if [ "$(inputs "$corpus")" != "$before" ] || ! grep -q 'context deadline exceeded' "$log"; then
			cat "$log" >&2
			rm -f "$log"
			echo "fuzz: $pkg $name failed; its input is in $corpus: commit it as a regression seed" >&2
			exit 1
		fi
		last="$last (ended by go.dev/issue/75804, no failing input)"
	fi
	printf '%-45s %-22s %s\n' "$pkg" "$name" "${last:-?}"
	rm -f "$log"
done
