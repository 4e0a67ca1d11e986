#!/usr/bin/env bash
# Generates the manual pages (docs/man/) and the completion scripts
# (contrib/completion/) from the commands' option tables, the cli.Doc in
# each command's doc.go: run it after adding a command or changing an
# option, and commit the result. A test fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
	echo "usage: scripts/gendocs.sh (no arguments)" >&2
	exit 2
fi
go test -count=1 -run '^TestGeneratedDocs$' ./cmd/rawkit -args -update-docs >/dev/null
git status --short docs/man contrib/completion 2>/dev/null || true
