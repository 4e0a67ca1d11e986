// Package cli is what rawkit's commands share about talking to the
// terminal: where a command reads and writes ([Stdio]), how it is
// described ([Command]), exit statuses, one-line errors ([Failf]), option
// parsing (GNU getopt_long style with [Getopt], or a flag.FlagSet with
// [NewFlags] and [ParseFlags]) and the parsers of option values ([Int],
// [Float], [Duration]) whose errors all read the same way.
//
// It holds no state: commands are values that cmd/rawkit's main lists.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// Exit statuses, as iputils uses them: 0 success, 1 no reply, 2 any error.
const (
	ExitOK      = 0
	ExitNoReply = 1
	ExitError   = 2
)

// Stdio is where a command reads and writes; tests pass buffers.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Command is one rawkit subcommand.
type Command struct {
	Name    string
	Summary string // one line for `rawkit help`
	Usage   string // full text for `rawkit help NAME` of a command without Doc
	// Doc, if set, is what `rawkit help NAME` prints (instead of Usage),
	// and what its manual page and completions are generated from.
	Doc *Doc
	// UsageMore, if set, returns text that follows Usage. It is built
	// only when printed, so that a run of the command does not pay for
	// a long reference (send's spec reference took 0.2 ms to build).
	UsageMore func() string
	Run       func(ctx context.Context, sio *Stdio, args []string) int
}

// PrintUsage writes c's full usage text to w.
func (c *Command) PrintUsage(w io.Writer) {
	if c.Doc != nil {
		c.Doc.WriteHelp(w)
	} else {
		io.WriteString(w, c.Usage)
	}
	if c.UsageMore != nil {
		io.WriteString(w, c.UsageMore())
	}
}

// Failf prints one line, "rawkit NAME: message", and returns ExitError.
// Every bad value and every error a command meets ends here: one line,
// status 2, never a stack trace.
//
// A value the user typed may hold a newline or another control character
// (a flag named "-\n"): those are written escaped, as Go quotes them, so
// the message stays one line and cannot move the terminal's cursor.
func Failf(sio *Stdio, name, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	msg = oneLine(strings.TrimRight(msg, "\n"))
	fmt.Fprintf(sio.Err, "rawkit %s: %s\n", name, msg)
	return ExitError
}

// oneLine escapes the control characters of s but tabs.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isControl(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func isControl(r rune) bool { return r != '\t' && unicode.IsControl(r) }

// NewFlags returns a FlagSet for c that reports errors instead of exiting
// and prints nothing itself: ParseFlags turns its outcome into one line.
func NewFlags(c *Command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// ParseFlags parses args with fs and maps the outcome to an exit status:
// -1 means carry on, anything else is the status to return. -h prints c's
// usage on standard output (status 0); a bad flag prints one line naming
// it (status 2), never the whole usage.
func ParseFlags(sio *Stdio, c *Command, fs *flag.FlagSet, args []string) int {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		c.PrintUsage(sio.Out)
		return ExitOK
	default:
		return Failf(sio, c.Name, "%v (run 'rawkit help %s')", err, c.Name)
	}
}
