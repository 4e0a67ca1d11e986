//go:build !linux

package trace

import (
	"context"
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

// udpSock is Linux's unprivileged UDP socket; none here.
type udpSock struct{}

func (m *Monitor) sendUDP(buf []byte, _, _, _ int) ([]byte, error) { return buf, raw.ErrNotImplemented }

func (m *Monitor) receiveUDP(context.Context, int, chan<- monitorAnswer) {}
