// Package record holds what the --json records of rawkit's commands
// share: the schema version their summaries carry, and how they write
// times and optional fields, so that one parser reads them all.
package record

import "time"

// Schema is the version of the --json records; it changes only when a
// field changes meaning or goes away.
const Schema = 1

// Ms is d in milliseconds with microsecond precision, as every *_ms
// field is written.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Ptr returns a pointer to v: a field that is left out when it does not
// apply is a pointer, so that a zero still prints.
func Ptr[T any](v T) *T { return &v }
