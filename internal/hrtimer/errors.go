package hrtimer

import "errors"

// ErrNotImplemented is New's error outside Linux.
var ErrNotImplemented = errors.New("hrtimer: not implemented on this platform")
