//go:build !linux

package netlab

import (
	"errors"
	"os"
	"testing"
)

// ErrNotImplemented is returned where network namespaces do not exist.
var ErrNotImplemented = errors.New("netlab: not implemented on this platform")

// Privileged fails the test when RAWKIT_PRIVILEGED=1 and skips it
// otherwise: network namespaces are Linux only.
func Privileged(t testing.TB) {
	t.Helper()
	if os.Getenv(PrivilegedEnv) == "1" {
		t.Fatalf("netlab: %s=1 but %v", PrivilegedEnv, ErrNotImplemented)
	}
	t.Skip(ErrNotImplemented)
}

// AsNobody reports false: RunAsNobody exists only on Linux.
func AsNobody() bool { return false }
