//go:build linux

package netlab

import (
	"context"
	"time"
)

// What the external tests (package netlab_test, which may use netlabtest)
// reach inside the package for.

// StartDelaySlowReader is StartDelay (in: StartDelayIn) with beforeRead
// called before each read of the queue, to make the listener slow.
func (h *Host) StartDelaySlowReader(ctx context.Context, iface string, d time.Duration, in bool, beforeRead func()) (*Delayer, error) {
	return h.startDelay(ctx, iface, d, in, beforeRead)
}

// IPTablesCommands returns the iptables and ip6tables commands the rules
// are added with.
func IPTablesCommands() (v4, v6 string) { return iptables(), ip6tables(iptables()) }
