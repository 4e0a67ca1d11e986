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
// with the time, the keys line, the column titles, then one line per TTL
// with mtr's numbers: the latest responder's name and the statistics of
// the TTL over all responders (HopStats.All), Loss% being the TTL's own
// no-answer rate. Where mtr then lists extra responders by address only,
// every responder of a TTL that has several gets an indented line of its
// own, in the order they first answered, with its own Rcv, times and
// Loss% (the loss of the probes charged to it); Drop and Snt stay on the
// TTL's line, as a responder has no probes of its own.
//
// A flag column left of the statistics marks R (loss here that does not
// continue downstream: likely ICMP rate limiting), N (NAT: the quote shows
// rewritten addresses or ports), T (the quote shows a rewritten TOS) and P
// (the TTL's responders changed) and U (a router here says the
// destination is unreachable); a legend explains the letters present.
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
