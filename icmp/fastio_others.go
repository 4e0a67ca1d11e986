//go:build !linux

package icmp

import "net/netip"

// fastIO exists on Linux only; elsewhere the flood loop uses the Conn.
type fastIO struct{}

func (*fastIO) send([]byte, netip.Addr) (bool, error) { return false, nil }
func (*fastIO) recv(*Message) (bool, error)           { return false, nil }
