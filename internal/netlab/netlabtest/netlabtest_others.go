//go:build !linux

package netlabtest

import (
	"os"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

// Privileged fails the test when RAWKIT_PRIVILEGED=1 and skips it
// otherwise: network namespaces are Linux only.
func Privileged(t testing.TB) {
	t.Helper()
	if os.Getenv(PrivilegedEnv) == "1" {
		t.Fatalf("netlab: %s=1 but %v", PrivilegedEnv, netlab.ErrNotImplemented)
	}
	t.Skip(netlab.ErrNotImplemented)
}

// AsNobody reports false: RunAsNobody exists only on Linux.
func AsNobody() bool { return false }
