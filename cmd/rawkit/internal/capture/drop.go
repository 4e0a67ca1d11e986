package capture

import (
	"errors"
	"fmt"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/raw"
)

// dropPrivileges gives up every capability, and under sudo becomes the
// invoking user, before capture reads a packet: it is the long-running
// parser of untrusted input, and an open packet socket keeps capturing
// without privilege (packet(7): the capability is checked at socket(2)
// and bind, not on each read). It runs before the -w file is opened, so
// that the kernel checks the invoking user's rights on the path and the
// file is created as that user; opening it as root and chowning it
// afterwards would let root follow a symbolic link or truncate a file the
// user may not write. A drop that cannot be completed stops capture with
// status 2 (fail closed); only a build that cannot drop at all (not
// Linux, or a cgo binary holding capabilities without sudo) runs on, and
// says so. ok is false when capture must stop with code.
func dropPrivileges(sio *cli.Stdio, o *opts) (code int, ok bool) {
	err := o.env.DropPrivileges()
	switch {
	case err == nil || errors.Is(err, raw.ErrNotImplemented):
		return 0, true
	case errors.Is(err, errors.ErrUnsupported):
		fmt.Fprintf(sio.Err, "rawkit capture: warning: privileges kept: %v\n", err)
		return 0, true
	}
	return cli.Failf(sio, "capture", "%v", err), false
}
