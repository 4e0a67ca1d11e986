//go:build !linux

package trace

import (
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// New is not implemented on this platform.
func New(dst netip.Addr, cfg *Config) (*Path, error) {
	if _, err := cfg.settings(dst.Unmap().Is6()); err != nil {
		return nil, err
	}
	return nil, raw.ErrNotImplemented
}
