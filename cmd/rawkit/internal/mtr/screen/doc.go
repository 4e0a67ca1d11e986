// Package screen is the interactive screen of rawkit mtr: mtr's curses
// layout and keys, drawn with tcell from the path monitor's snapshots.
//
// [Run] owns the terminal from start to end: it initialises the screen,
// draws from the latest [trace.MonitorSnapshot] of every target at most
// ten times a second (and only when something changed, or once a second
// for the clock), turns key presses into changes of the view or into
// commands to the monitor ([Monitor]: pause, reset, DNS), and restores
// the terminal whatever ends it: q, Ctrl-C, the context, or an error.
//
// # Layout
//
// As mtr 0.95's curses display: a title, the local host and the target
// with the time, the keys line, the column titles, then one line per TTL.
// Unlike mtr, every responder of a TTL has a line of its own with its
// own Rcv and round-trip columns (mtr lists extra responders by address
// only, under statistics merged over all of them). The packet columns
// Loss%, Drop and Snt describe the TTL itself (its own no-answer rate)
// and appear on the TTL's line only, so that an ECMP hop's branches do
// not each show the other's share of probes as loss.
//
// A flag column left of the statistics marks R (loss here that does not
// continue downstream: likely ICMP rate limiting), N (NAT: the quote shows
// rewritten addresses or ports), T (the quote shows a rewritten TOS) and P
// (the TTL's responders changed); a legend line explains the letters
// present.
//
// Display modes (d) follow mtr: 0 the statistics, 1 the block map
// (. for an answer, > for a slow one, ? for none), 2 the scaled strip
// chart (. 1 2 3 a b c >), and, beyond mtr 0.95, 3 a sparkline of unicode
// blocks on the same scale.
//
// Several targets are drawn as stacked sections under one set of column
// titles, each headed by its target, rather than as tabs: running targets
// at once is for comparing them (the same host over ICMP and TCP, or
// paths that share their first hops), which tabs would hide. When the
// sections do not fit, mtr's scroll keys (+ - and the arrows) move
// through them.
package screen
