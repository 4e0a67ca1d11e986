#!/usr/bin/env bash
# Applies the caller-side renames of branch h1 to the Go files given as
# arguments: the spec language moved from craft to craft/spec, the filter
# compiler from capture to capture/filter, and craft.InternetChecksum
# became internal/checksum.Checksum. Qualified identifiers, doc comments
# that name them and import lines are rewritten in place (by a small Go
# program, on the syntax tree, so strings and unrelated identifiers stay),
# then the files are gofmt-ed. A file that already uses the name spec or
# filter for something else imports the package as packetspec or
# bpffilter. Run it again and nothing changes.
#
#   .rename-h1.sh cmd/rawkit/*.go
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 FILE.go..." >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'module rename\n\ngo 1.26\n' >"$tmp/go.mod"
cat >"$tmp/main.go" <<'GO'
// Rewrites callers of the names that moved from craft to craft/spec, from
// capture to capture/filter, and craft.InternetChecksum: qualified
// identifiers, doc comments and import lines. Files are edited in place.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const mod = "github.com/rawkit/rawkit/"

type target struct{ path, name string }

// moves maps an old package to its moved names: old name -> new place.
var moves = map[string]map[string]target{
	mod + "craft": {
		"Spec":              {mod + "craft/spec", "Spec"},
		"SpecPacket":        {mod + "craft/spec", "Packet"},
		"SpecConfig":        {mod + "craft/spec", "Config"},
		"SpecError":         {mod + "craft/spec", "Error"},
		"ErrSpec":           {mod + "craft/spec", "ErrInvalid"},
		"DefaultMaxPackets": {mod + "craft/spec", "DefaultMaxPackets"},
		"Parse":             {mod + "craft/spec", "Parse"},
		"ParseConfig":       {mod + "craft/spec", "ParseConfig"},
		"CompileSpec":       {mod + "craft/spec", "Compile"},
		"SpecHelp":          {mod + "craft/spec", "Help"},
		"InternetChecksum":  {mod + "internal/checksum", "Checksum"},
	},
	mod + "capture": {
		"Compile":     {mod + "capture/filter", "Compile"},
		"CompileRaw":  {mod + "capture/filter", "CompileRaw"},
		"Filter":      {mod + "capture/filter", "Filter"},
		"NewFilter":   {mod + "capture/filter", "New"},
		"LoadFilter":  {mod + "capture/filter", "Load"},
		"SyntaxError": {mod + "capture/filter", "SyntaxError"},
	},
}

// aliases are the import names used where a file already uses the plain
// package name for something else (a variable named spec or filter).
var aliases = map[string]string{mod + "craft/spec": "packetspec", mod + "capture/filter": "bpffilter", mod + "internal/checksum": "inetchecksum"}

type edit struct {
	off, end int
	text     string
}

func base(p string) string { return p[strings.LastIndex(p, "/")+1:] }

func main() {
	failed := false
	for _, fn := range os.Args[1:] {
		if err := rewrite(fn); err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func rewrite(fn string) error {
	src, err := os.ReadFile(fn)
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, fn, src, parser.ParseComments)
	if err != nil {
		return err
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	// The local names of the imports involved.
	local := map[string]string{} // import path -> name in this file
	specOf := map[string]*ast.ImportSpec{}
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		name := base(p)
		if is.Name != nil {
			name = is.Name.Name
		}
		local[p], specOf[p] = name, is
	}
	// Identifiers that are not package qualifiers, field or method names:
	// a new import must not take their name.
	taken := map[string]bool{}
	quals := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			// x.spec names a field or method: no clash.
			quals[n.Sel] = true
			if id, ok := n.X.(*ast.Ident); ok {
				quals[id] = true
			}
		case *ast.StructType:
			for _, fl := range n.Fields.List {
				for _, id := range fl.Names {
					quals[id] = true
				}
			}
		case *ast.CompositeLit:
			if _, isMap := n.Type.(*ast.MapType); !isMap {
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok {
							quals[id] = true
						}
					}
				}
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				quals[n.Name] = true
			}
		case *ast.ImportSpec:
			return false
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !quals[id] {
			taken[id.Name] = true
		}
		return true
	})
	newName := func(p string) string {
		if n, ok := local[p]; ok {
			return n
		}
		n := base(p)
		if taken[n] {
			n = aliases[p]
		}
		local[p] = n
		return n
	}
	var edits []edit
	added := map[string]bool{}
	left := map[string]int{} // uses of each old package that stay
	ast.Inspect(f, func(n ast.Node) bool {
		s, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := s.X.(*ast.Ident)
		if !ok || id.Obj != nil {
			return true
		}
		for old, m := range moves {
			if name, ok := local[old]; !ok || name != id.Name {
				continue
			}
			t, ok := m[s.Sel.Name]
			if !ok {
				left[old]++
				continue
			}
			_, had := local[t.path]
			q := newName(t.path)
			if !had {
				added[t.path] = true
			}
			edits = append(edits, edit{off(s.Pos()), off(s.End()), q + "." + t.name})
		}
		return true
	})
	// Doc comments name the new places by their package names.
	for old, m := range moves {
		for oldName, t := range m {
			re := regexp.MustCompile(`\b` + base(old) + `\.` + oldName + `\b`)
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					for _, loc := range re.FindAllStringIndex(c.Text, -1) {
						o := off(c.Pos())
						edits = append(edits, edit{o + loc[0], o + loc[1], base(t.path) + "." + t.name})
					}
				}
			}
		}
	}
	if len(edits) == 0 {
		return nil
	}
	// Import lines: the new ones after the old package's line, which goes
	// when nothing uses it any more.
	for old := range moves {
		is, ok := specOf[old]
		if !ok {
			continue
		}
		var lines []string
		var paths []string
		for p := range added {
			for _, t := range moves[old] {
				if t.path == p {
					paths = append(paths, p)
					break
				}
			}
		}
		sort.Strings(paths)
		for _, p := range paths {
			l := strconv.Quote(p)
			if local[p] != base(p) {
				l = local[p] + " " + l
			}
			lines = append(lines, l)
			delete(added, p)
		}
		start, end := off(is.Pos()), off(is.End())
		if left[old] > 0 {
			if len(lines) > 0 {
				edits = append(edits, edit{end, end, "\n\t" + strings.Join(lines, "\n\t")})
			}
			continue
		}
		edits = append(edits, edit{start, end, strings.Join(lines, "\n\t")})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].off > edits[j].off })
	out := src
	for _, e := range edits {
		out = append(out[:e.off:e.off], append([]byte(e.text), out[e.end:]...)...)
	}
	return os.WriteFile(fn, out, 0o644)
}
GO
files=()
for f in "$@"; do files+=("$(realpath "$f")"); done
(cd "$tmp" && GOFLAGS= go run . "${files[@]}")
gofmt -w "${files[@]}"
