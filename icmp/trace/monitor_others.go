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
