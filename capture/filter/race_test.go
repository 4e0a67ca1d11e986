//go:build race

package filter

// raceEnabled scales the optimiser's side-by-side tests down under the
// race detector, which slows them ten times and finds nothing in them
// (the compiler shares no memory between goroutines); plain go test
// and FuzzOptimiser run them at full size.
const raceEnabled = true
