#!/usr/bin/env bash
# Runs every test rawkit has: static checks, the unprivileged suite with the
# race detector, then the privileged suite (raw sockets, namespaces).
# This is the README's test command and what CI runs.
#
#   scripts/test.sh                  # everything (needs root or sudo, and apt)
#   scripts/test.sh --unprivileged   # all but the privileged suite
#
# --unprivileged is for a contributor without root: gofmt, go vet,
# staticcheck, the pure Go build, the unit tests with the race detector,
# the full-size load tests and every fuzz target for a bounded time
# (scripts/fuzz.sh). It needs no root, no sudo and no apt.
set -euo pipefail
cd "$(dirname "$0")/.."

privileged=1
case "${1:-}" in
"") ;;
--unprivileged) privileged= ;;
*)
	echo "usage: scripts/test.sh [--unprivileged]" >&2
	exit 2
	;;
esac

STATICCHECK_VERSION=v0.7.0

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:" $unformatted >&2
	exit 1
fi

echo "== go vet"
go vet ./...
go vet -tags privileged ./...

echo "== staticcheck"
go run "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}" ./...
go run "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}" -tags privileged ./...

echo "== pure Go build"
CGO_ENABLED=0 go build ./cmd/rawkit ./cmd/rawkit/rawkit-exporter

echo "== unit tests (race)"
go test -race -count=1 ./...

echo "== full-size load tests (no race detector: -race scales them down)"
go test -count=1 -run 'IntegrityUnderLoad|DatagramLossCounted|GracefulShutdown' ./endpoint/

echo "== fuzzing (every target, FUZZTIME each: 10s unless set)"
scripts/fuzz.sh

if [ -z "$privileged" ]; then
	echo "== privileged tests skipped (--unprivileged): scripts/test-privileged.sh runs them"
	exit 0
fi

echo "== privileged tests"
scripts/test-privileged.sh
