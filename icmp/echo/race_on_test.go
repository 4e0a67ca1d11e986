//go:build race

package echo

// The race detector slows the Monitor's long runs tenfold: they run shorter
// under it, and allocation counts mean nothing there.
const raceEnabled = true
