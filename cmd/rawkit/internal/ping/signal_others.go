//go:build !unix

package ping

import "os"

// notifyQuit: there is no SIGQUIT here.
func notifyQuitOS() (<-chan os.Signal, func()) { return nil, func() {} }
