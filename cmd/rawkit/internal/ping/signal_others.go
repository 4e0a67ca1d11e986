//go:build !unix

package ping

import "os"

// notifyQuitOS: there is no SIGQUIT here.
func notifyQuitOS() (<-chan os.Signal, func()) { return nil, func() {} }
