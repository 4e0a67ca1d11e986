//go:build !linux

package trace

import "github.com/rawkit/rawkit/raw"

// reserveClassicPorts is not implemented on this platform.
func (t *Path) reserveClassicPorts() error {
	if t.s.Method != MethodTCP || !t.s.Classic {
		return nil
	}
	return raw.ErrNotImplemented
}
