//go:build !linux

package hrtimer

import "time"

// Timer is not implemented outside Linux.
type Timer struct{}

// New returns ErrNotImplemented.
func New() (*Timer, error) { return nil, ErrNotImplemented }

// Sleep returns ErrNotImplemented.
func (t *Timer) Sleep(time.Duration) error { return ErrNotImplemented }

// Close returns ErrNotImplemented.
func (t *Timer) Close() error { return ErrNotImplemented }
