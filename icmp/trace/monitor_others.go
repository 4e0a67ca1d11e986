//go:build !linux

package trace

import (
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// reservePort is not implemented on this platform.
func reservePort(Method, netip.Addr) (uint16, interface{ Close() error }, error) {
	return 0, nil, raw.ErrNotImplemented
}

// NewPingMonitor is not implemented on this platform.
func NewPingMonitor(dst netip.Addr, cfg *MonitorConfig) (*Monitor, error) {
	if _, err := cfg.settings(); err != nil {
		return nil, err
	}
	return nil, raw.ErrNotImplemented
}
