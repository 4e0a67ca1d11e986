//go:build !linux

package icmp

import (
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// NewPath is not implemented on this platform.
func NewPath(dst netip.Addr, cfg *PathConfig) (*Path, error) {
	if _, err := cfg.settings(dst.Unmap().Is6()); err != nil {
		return nil, err
	}
	return nil, raw.ErrNotImplemented
}
