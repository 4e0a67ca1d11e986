package icmp

import (
	"os"

	"golang.org/x/sys/unix"
)

// fillRandom fills b from the kernel's random pool with getrandom(2), the
// source crypto/rand reads too, but without the set-up its first call
// costs (0.05-0.1 ms here, on the way to a ping's or a trace's first
// packet). The identifiers it makes must only be unguessable to
// whoever did not see the probes.
func fillRandom(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Getrandom(b, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("getrandom", err)
		}
		b = b[n:]
	}
	return nil
}
