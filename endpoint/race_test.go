//go:build race

package endpoint

// raceEnabled scales the load tests down under the race detector, which
// slows this code ten times; scripts/test.sh also runs them at full size
// without it.
const raceEnabled = true
