//go:build !linux

package raw

import (
	"context"
	"net/netip"
)

// WriteToWith is WriteToAddr with per-packet options; not implemented
// on this platform.
func (c *Conn) WriteToWith(context.Context, []byte, netip.Addr, SendOptions) (int, error) {
	return 0, ErrNotImplemented
}
