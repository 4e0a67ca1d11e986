package screen

// helpLines is the page of ? and h: mtr's "Command:" list for the keys
// rawkit has, the flags and the display modes.
func helpLines() []line {
	text := []string{
		"Command:",
		"  ?|h     help",
		"  p       pause (SPACE to resume)",
		"  d       switching display mode",
		"  e       toggle MPLS information on/off",
		"  n       toggle DNS on/off",
		"  r       reset all counters",
		"  o str   set the columns to display, default str='" + DefaultFields + "'",
		"  j       toggle latency(" + DefaultFields + ")/jitter(" + JitterFields + ") stats",
		"  + -     scroll down/up (also arrows, Page Up/Down)",
		"  q       quit (also Ctrl-C)",
		"",
		"Display modes: 0 statistics, 1 block map, 2 strip chart, 3 sparkline",
		"A TTL's line is all its responders together; indented lines are each one's own",
		"Flags:",
	}
	var lines []line
	for _, t := range text {
		lines = append(lines, line{{0, t, plain}})
	}
	for _, f := range hopFlags {
		lines = append(lines, line{{2, f.legend, plain}})
	}
	return append(lines, nil, line{{0, " press any key to go back...", plain}})
}

// promptLines is the page of o: the order typed so far and the fields.
func promptLines(typed string) []line {
	lines := []line{{{0, "Fields: ", plain}, {8, typed, bold}}, nil}
	for _, f := range fields {
		lines = append(lines, line{{2, f.descr, plain}})
	}
	return append(lines, nil, line{{0, " Enter to apply, Esc to cancel", plain}})
}
