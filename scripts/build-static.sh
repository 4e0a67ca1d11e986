#!/usr/bin/env bash
# Builds the static binaries as releases, scripts/package.sh and the
# container image (Dockerfile) build them: rawkit at OUT, and next to it
# rawkit-exporter, the exporter's own binary, which `rawkit exporter`
# executes (it links the HTTP, TLS, YAML and Prometheus modules that rawkit
# does not). No cgo (only then can they drop their capabilities on every
# thread), no paths of the build machine, no symbol tables, and VERSION,
# if given, as their version (otherwise the checkout's tag or commit, from
# go build's VCS stamp).
#
#   scripts/build-static.sh OUT [VERSION]   # OUT and DIR(OUT)/rawkit-exporter
set -euo pipefail
cd "${0%/*}/.."
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: scripts/build-static.sh OUT [VERSION]" >&2
	exit 2
fi
out=$1 version=${2:-}
command -v go >/dev/null 2>&1 || {
	echo "build-static.sh: needs the go tool" >&2
	exit 2
}
ldflags="-s -w"
if [ -n "$version" ]; then
	ldflags+=" -X github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo.version=$version"
fi
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out" ./cmd/rawkit
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$(dirname "$out")/rawkit-exporter" ./cmd/rawkit/rawkit-exporter
