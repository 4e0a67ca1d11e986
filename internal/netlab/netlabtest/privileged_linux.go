//go:build linux

package netlabtest

import (
	"os"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

// Privileged is the first call of every privileged test. With the
// privileges it needs it returns; without them it fails the test when
// RAWKIT_PRIVILEGED=1 (scripts/test-privileged.sh sets it: there a missing
// privilege is a broken setup, not a reason to skip) and skips it
// otherwise. In a child started by RunAsNobody it returns at once: that
// child lacks privileges on purpose.
func Privileged(t testing.TB) {
	t.Helper()
	if AsNobody() {
		return
	}
	err := netlab.CheckCapabilities()
	if err == nil {
		return
	}
	if os.Getenv(PrivilegedEnv) == "1" {
		t.Fatalf("netlab: %s=1 but %v", PrivilegedEnv, err)
	}
	t.Skipf("netlab: %v; run scripts/test-privileged.sh (root or sudo) to run privileged tests", err)
}
