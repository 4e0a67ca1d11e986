package cli

import (
	"io"
	"strings"
)

// Doc describes a command for people: `rawkit help NAME` prints it, and
// its manual page and the shell completions are generated from it, so
// that the three never disagree. Each command keeps its Doc in a file of
// its own (doc.go); a literal of strings costs nothing until printed.
//
// Prose fields hold paragraphs separated by blank lines; the help
// printer fills them to [HelpWidth] columns and the manual page lets
// troff fill them. A line that starts with two spaces is printed as it
// is (a command line, a table row) in both.
type Doc struct {
	// Source is the file the Doc is in, named in the generated page
	// ("": cmd/rawkit/internal/NAME/doc.go).
	Source      string
	Synopsis    []string // one line per form, without "usage: "
	Description string
	Options     []Option
	// Operand says how a shell completes the command's operands:
	// "host", "file", or "" for nothing; Words, if set, are the values
	// of the first operand (lab's up, down...; serve's tcp, udp...).
	Operand string
	Words   []string
	Notes   string // help prints it after the options; the man page in DESCRIPTION
	Exit    string // the EXIT STATUS section; help prints "Exit status: " and it
	// The rest is for the manual page only.
	Examples    []Example
	Privileges  string
	Peer        string // the tool compared with, as "ping(8) of iputils"
	Differences string
	SeeAlso     []string // "ping(8)", "raw(7)"
}

// Option is one row of a command's option table.
type Option struct {
	// Names are the spellings of the option ("-I", "--icmp"); none for
	// an operand described among the options (traceroute's PACKETLEN).
	Names []string
	Arg   string // the value's name ("COUNT"); "" for a flag
	// OptionalArg: the value is optional and attached (--wait[=TIMEOUT]).
	OptionalArg bool
	Help        string // what it does, one short paragraph
	Default     string // the value when the option is absent
	Range       string // the values taken, in words ("1-255")
	// Values lists every value the option takes, for completion
	// (-M do, dont or want); Complete says what else completes its
	// value: "file", "interface" or "" for nothing.
	Values   []string
	Complete string
}

// HelpWidth is the width help text is filled to.
const HelpWidth = 76

// Spec returns how o is written in the option table: "-c, --count COUNT",
// "--wait[=TIMEOUT]", "-4, -6".
func (o Option) Spec() string {
	s := strings.Join(o.Names, ", ")
	switch {
	case o.Arg == "":
	case len(o.Names) == 0:
		s = o.Arg
	case o.OptionalArg:
		s += "[=" + o.Arg + "]"
	default:
		s += " " + o.Arg
	}
	return s
}

// FullHelp returns o's help with its range and default appended:
// "IP time to live (1-255; default 64)".
func (o Option) FullHelp() string {
	var extra []string
	if o.Range != "" {
		extra = append(extra, o.Range)
	}
	if o.Default != "" {
		extra = append(extra, "default "+o.Default)
	}
	if len(extra) == 0 {
		return o.Help
	}
	return o.Help + " (" + strings.Join(extra, "; ") + ")"
}

// WriteHelp writes d as `rawkit help` prints it.
func (d *Doc) WriteHelp(w io.Writer) {
	var b strings.Builder
	for i, s := range d.Synopsis {
		if i == 0 {
			b.WriteString("usage: " + s + "\n")
		} else {
			b.WriteString("       " + s + "\n")
		}
	}
	if d.Description != "" {
		b.WriteString("\n" + Fill(d.Description, "", HelpWidth))
	}
	if len(d.Options) > 0 {
		b.WriteString("\n" + d.optionTable())
	}
	if d.Notes != "" {
		b.WriteString("\n" + Fill(d.Notes, "", HelpWidth))
	}
	if d.Exit != "" {
		b.WriteString("\n" + Fill("Exit status: "+d.Exit, "", HelpWidth))
	}
	io.WriteString(w, b.String())
}

// optionTable returns the options in two columns; a spelling too long
// for the first column puts the help on the lines below it.
func (d *Doc) optionTable() string {
	col := 0
	for _, o := range d.Options {
		if n := len(o.Spec()); n <= maxSpecColumn {
			col = max(col, n)
		}
	}
	indent := strings.Repeat(" ", 2+col+2)
	var b strings.Builder
	for _, o := range d.Options {
		spec := o.Spec()
		body := Fill(o.FullHelp(), indent, HelpWidth)
		if len(spec) > col {
			b.WriteString("  " + spec + "\n" + body)
			continue
		}
		b.WriteString("  " + spec + strings.Repeat(" ", col-len(spec)+2) + body[len(indent):])
	}
	return b.String()
}

// maxSpecColumn is the widest first column of an option table.
const maxSpecColumn = 20

// Fill fills the paragraphs of text (separated by blank lines) to width
// columns, each line starting with indent, and ends every line with a
// newline; paragraphs are separated by an empty line. Lines starting with
// two spaces are kept as they are, after indent.
func Fill(text, indent string, width int) string {
	var b strings.Builder
	for i, para := range Paragraphs(text) {
		if i > 0 {
			b.WriteString("\n")
		}
		lines := strings.Split(para, "\n")
		var words []string
		flush := func() {
			line := indent
			for _, w := range words {
				if line != indent && len(line)+1+len(w) > width {
					b.WriteString(line + "\n")
					line = indent
				}
				if line != indent {
					line += " "
				}
				line += w
			}
			if len(words) > 0 {
				b.WriteString(line + "\n")
			}
			words = words[:0]
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "  ") {
				flush()
				b.WriteString(indent + l + "\n")
				continue
			}
			words = append(words, strings.Fields(l)...)
		}
		flush()
	}
	return b.String()
}

// Paragraphs splits text at blank lines, dropping empty paragraphs.
func Paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(text, "\n"), "\n\n") {
		if p = strings.Trim(p, "\n"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Example is a command line and what it does, for a manual page.
type Example struct {
	Command string
	Text    string
}
