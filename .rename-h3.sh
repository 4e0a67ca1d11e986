#!/usr/bin/env bash
# Rewrites test code from internal/netlab's testing.TB helpers to
# internal/netlab/netlabtest (branch h3). Only imports and qualifiers
# change; delete this script before the release.
#
#   .rename-h3.sh FILE.go...          # edits the files in place
#   .rename-h3.sh $(grep -rl 'rawkit/internal/netlab"' --include='*.go' .)
#
# What it rewrites:
#   netlab.Privileged, NewHost, NewPair, NewChain, NewDiamond, Connect,
#   RunAsNobody, AsNobody, PrivilegedEnv, Sniffer
#       -> the same name in netlabtest (netlab.Sniffer, the type, becomes
#          netlabtest.Sniffer, what netlabtest.Sniff returns)
#   RECV.Sniff(t, ...), SniffWith, Loss, LossIn, Duplicate, Delay,
#   MPLSExtensions, Rule  (netlab.Host methods that took the test)
#       -> netlabtest.Sniff(t, RECV, ...) and so on
#   (t, b or tb as the test). It then adds the netlabtest import where the
# file uses it and drops the netlab import where nothing uses it any more,
# and runs gofmt. A method call it cannot rewrite (a receiver that is not
# a plain name, field or index chain, as f().Sniff(t, ...)) is reported
# and left for a hand edit; so is a file in package netlab itself, whose
# unqualified calls this script does not touch.
#
# Running it twice changes nothing the second time.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 FILE.go..." >&2
	exit 2
fi

NETLAB=github.com/rawkit/rawkit/internal/netlab
NETLABTEST=$NETLAB/netlabtest
FUNCS='Privileged|NewHost|NewPair|NewChain|NewDiamond|Connect|RunAsNobody|AsNobody|PrivilegedEnv|Sniffer'
METHODS='Sniff|SniffWith|Loss|LossIn|Duplicate|Delay|MPLSExtensions|Rule'
# A receiver: a name followed by fields and index expressions
# (p.B, c.Routers[0], d.Branches[len(x)-1]).
RECV='[A-Za-z_][A-Za-z0-9_]*((\.[A-Za-z_][A-Za-z0-9_]*)|\[[^]]*\])*'
TEST='t|b|tb'

# usage prints, for a Go file, whether its code (not its comments) uses
# the identifiers netlab and netlabtest as package qualifiers.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/main.go" <<'EOF'
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
)

func main() {
	f, err := parser.ParseFile(token.NewFileSet(), os.Args[1], nil, parser.SkipObjectResolution)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := s.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	fmt.Println(f.Name.Name, used["netlab"], used["netlabtest"])
}
EOF
printf 'module renameh3\n\ngo 1.22\n' >"$tmp/go.mod"
(cd "$tmp" && go build -o usage .)

status=0
for f in "$@"; do
	case $f in
	*.go) ;;
	*) echo "$f: not a .go file, skipped" >&2; continue ;;
	esac
	read -r pkg _ < <("$tmp/usage" "$f")
	case $pkg in
	netlab)
		echo "$f: package netlab: its own calls are not qualified, edit by hand" >&2
		status=1
		continue
		;;
	netlabtest) continue ;; # the helpers themselves
	esac
	# Calls already rewritten are set aside first (@NLT@), so that the
	# method pattern does not take netlabtest for a receiver.
	sed -E -i \
		-e "s/(^|[^A-Za-z0-9_.])netlabtest\.($METHODS)\(/\1@NLT@\2(/g" \
		-e "s/(^|[^A-Za-z0-9_.])netlab\.($FUNCS)\b/\1netlabtest.\2/g" \
		-e "s/(^|[^A-Za-z0-9_.])($RECV)\.($METHODS)\(($TEST), /\1netlabtest.\5(\6, \2, /g" \
		-e "s/@NLT@/netlabtest./g" \
		"$f"
	read -r _ uses_netlab uses_netlabtest < <("$tmp/usage" "$f")
	if [ "$uses_netlabtest" = true ] && ! grep -q "^[[:space:]]*\"$NETLABTEST\"" "$f"; then
		if ! grep -q "^[[:space:]]*\"$NETLAB\"\$" "$f"; then
			echo "$f: uses netlabtest but has no netlab import line to add it after" >&2
			status=1
			continue
		fi
		sed -i "s|^\([[:space:]]*\)\"$NETLAB\"\$|&\n\1\"$NETLABTEST\"|" "$f"
	fi
	if [ "$uses_netlab" = false ]; then
		sed -i "\|^[[:space:]]*\"$NETLAB\"\$|d" "$f"
	fi
	gofmt -w "$f"
	if grep -nE "($RECV)\.($METHODS)\(($TEST), " "$f" | grep -v 'netlabtest\.'; then
		echo "$f: the calls above may still be netlab.Host methods taking the test: edit by hand" >&2
		status=1
	fi
done
exit $status
