//go:build !linux

package inject

import (
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// Source returns the source address the kernel would use to send to dst;
// it is implemented on Linux only.
func Source(dst netip.Addr, iface string) (netip.Addr, error) {
	return netip.Addr{}, raw.ErrNotImplemented
}
