package netlabtest

import (
	"os"
	"os/exec"
	"testing"
)

// PrivilegedEnv names the variable that scripts/test-privileged.sh sets
// to 1: then a privileged test lacking privileges fails instead of
// skipping.
const PrivilegedEnv = "RAWKIT_PRIVILEGED"

// NeedTool returns the path of the program name (tcpdump, tshark, ...)
// that a test compares rawkit with. When it is missing the test fails
// under RAWKIT_PRIVILEGED=1, since scripts/test-privileged.sh installs
// it, and is skipped otherwise.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(PrivilegedEnv) == "1" {
			t.Fatalf("%s is not installed (scripts/test-privileged.sh installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}
