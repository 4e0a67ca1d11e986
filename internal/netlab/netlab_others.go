//go:build !linux

package netlab

import "errors"

// ErrNotImplemented is returned where network namespaces do not exist.
var ErrNotImplemented = errors.New("netlab: not implemented on this platform")

// CheckCapabilities returns ErrNotImplemented: network namespaces are
// Linux only.
func CheckCapabilities() error { return ErrNotImplemented }
