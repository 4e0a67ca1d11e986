//go:build race

package trace

// raceEnabled: the race detector slows the long monitor runs tenfold.
const raceEnabled = true
