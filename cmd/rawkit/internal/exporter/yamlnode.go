package exporter

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A posError is a bad value in a file: "FILE:LINE: message".
type posError struct {
	file string
	line int
	msg  string
}

func (e *posError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.file, e.msg)
}

// A doc reads one YAML (or JSON) file node by node, so that every error
// names the line of the value at fault. Decoding into structs would lose
// the lines of values that are valid YAML but bad for us (a zero
// interval, a CIDR too large).
type doc struct{ file string }

func (d doc) errf(n *yaml.Node, format string, a ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &posError{file: d.file, line: line, msg: fmt.Sprintf(format, a...)}
}

// parse returns the root node of data: nil for an empty file.
func (d doc) parse(data []byte) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlErrorLine(err)
		return nil, &posError{file: d.file, line: line, msg: "bad YAML: " + msg}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, nil
	}
	return root.Content[0], nil
}

// check refuses aliases (they would let a small file expand without
// bound) and nodes of the wrong kind.
func (d doc) check(n *yaml.Node, kind yaml.Kind, key string) error {
	if n.Kind == yaml.AliasNode {
		return d.errf(n, "%s: YAML aliases are not taken here", key)
	}
	if n.Kind != kind {
		return d.errf(n, "%s: want %s, got %s", key, kindName(kind), describe(n))
	}
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindName(n.Kind)
}

// fields walks mapping n, calling set for each key, and refuses keys set
// does not know (it returns errUnknown) and keys given twice.
func (d doc) fields(n *yaml.Node, what string, set func(key string, v *yaml.Node) error) error {
	if err := d.check(n, yaml.MappingNode, what); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := d.check(k, yaml.ScalarNode, what+" key"); err != nil {
			return err
		}
		if seen[k.Value] {
			return d.errf(k, "%s: key %q given twice", what, k.Value)
		}
		seen[k.Value] = true
		if err := set(k.Value, v); err == errUnknown {
			return d.errf(k, "%s: unknown key %q", what, k.Value)
		} else if err != nil {
			return err
		}
	}
	return nil
}

var errUnknown = fmt.Errorf("unknown key")

// strings returns the scalars of list n.
func (d doc) strings(n *yaml.Node, key string) ([]string, []*yaml.Node, error) {
	if err := d.check(n, yaml.SequenceNode, key); err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if err := d.check(c, yaml.ScalarNode, key+" item"); err != nil {
			return nil, nil, err
		}
		out = append(out, c.Value)
	}
	return out, n.Content, nil
}

// duration reads a Prometheus-style duration ("1s", "500ms", "1m30s")
// within [lo, hi].
func (d doc) duration(n *yaml.Node, key string, lo, hi time.Duration) (time.Duration, error) {
	if err := d.check(n, yaml.ScalarNode, key); err != nil {
		return 0, err
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return 0, d.errf(n, "bad %s %q: not a duration (like 1s, 500ms, 1m30s)", key, n.Value)
	}
	if v < lo || v > hi {
		return 0, d.errf(n, "bad %s %q: want %s to %s", key, n.Value, shortDuration(lo), shortDuration(hi))
	}
	return v, nil
}

// integer reads an integer within [lo, hi].
func (d doc) integer(n *yaml.Node, key string, lo, hi int) (int, error) {
	if err := d.check(n, yaml.ScalarNode, key); err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || v < int64(lo) || v > int64(hi) {
		return 0, d.errf(n, "bad %s %q: want an integer from %d to %d", key, n.Value, lo, hi)
	}
	return int(v), nil
}

// float reads a finite number within [lo, hi].
func (d doc) float(n *yaml.Node, key string, lo, hi float64) (float64, error) {
	if err := d.check(n, yaml.ScalarNode, key); err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || v < lo || v > hi {
		return 0, d.errf(n, "bad %s %q: want a number from %g to %g", key, n.Value, lo, hi)
	}
	return v, nil
}

// shortDuration writes d as a person would: 1h, not 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	for _, unit := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, unit) {
			s = s[:len(s)-2]
		}
	}
	return s
}

// yamlParserProblems are the errors of yaml's parser (parserc.go), as
// opposed to its scanner's. yaml reports a parser error at the 0-based
// line where the construct around it starts, and a scanner error at the
// 1-based line of the fault; neither gives a line on the file's first
// line.
var yamlParserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found undefined tag handle", "found duplicate %YAML directive", "found duplicate %TAG directive",
	"found incompatible YAML document",
}

// yamlErrorLine returns the 1-based line of a yaml syntax error and its
// message without yaml's prefix, on one line.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", "; "), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, rest[i+2:]
			}
		}
	}
	switch {
	case slices.Contains(yamlParserProblems, msg):
		line++
	case line == 0:
		line = 1
	}
	return line, msg
}
