//go:build !linux

package echo

import "github.com/rawkit/rawkit/raw"

// Listen is not implemented on this platform.
func Listen(*ListenConfig) (*Socket, error) { return nil, raw.ErrNotImplemented }
