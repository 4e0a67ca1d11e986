//go:build privileged

package spec

import (
	"os"
	"os/exec"
	"testing"
)

// TestSpecScapyLive re-runs scapy (Debian's python3-scapy, which
// scripts/test-privileged.sh installs) over every expression of
// testdata/spec_scapy.py and checks that it still builds the bytes of
// testdata/spec_scapy.txt, the file TestSpecScapyBytes compares rawkit's
// bytes with.
func TestSpecScapyLive(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import scapy").Run(); err != nil {
		if os.Getenv("RAWKIT_PRIVILEGED") == "1" {
			t.Fatalf("scapy for /usr/bin/python3 is missing (apt-get install python3-scapy): %v", err)
		}
		t.Skipf("scapy for /usr/bin/python3 is missing: %v", err)
	}
	out, err := exec.Command("/usr/bin/python3", "testdata/spec_scapy.py", "testdata/spec_scapy.txt").CombinedOutput()
	if err != nil {
		t.Fatalf("scapy builds other bytes than testdata/spec_scapy.txt records: %v\n%s", err, out)
	}
}
