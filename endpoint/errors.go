package endpoint

import "errors"

// ErrNotImplemented is returned on platforms other than Linux.
var ErrNotImplemented = errors.New("endpoint: not implemented on this platform")
