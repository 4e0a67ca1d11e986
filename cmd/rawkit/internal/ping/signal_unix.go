//go:build unix

package ping

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyQuitOS delivers SIGQUIT (Ctrl-\), on which ping prints interim
// statistics instead of dumping core.
func notifyQuitOS() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGQUIT)
	return c, func() { signal.Stop(c) }
}
