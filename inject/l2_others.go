//go:build !linux

package inject

import (
	"context"
	"net/netip"

	"github.com/rawkit/rawkit/raw"
)

// linkSender sends packets as built through a packet socket; Linux only.
type linkSender struct{}

func openLinkSender(dsts []netip.Addr, iface string) (*linkSender, error) {
	return nil, raw.ErrNotImplemented
}

func (l *linkSender) writeBatch(ctx context.Context, batch [][]byte, dst netip.Addr) (int, error) {
	return 0, raw.ErrNotImplemented
}

// Close does nothing.
func (l *linkSender) Close() error { return nil }
