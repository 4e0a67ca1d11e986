//go:build linux && privileged

package main

import (
	"os/exec"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// The test binary doubles as the rawkit binary (clitest.AsMain), so that
// a test can start real rawkit processes, inside a namespace or not.
func init() { clitest.AsMain(allCommands()...) }

// asMainEnv is clitest's variable that turns the test binary into rawkit;
// lab_priv_test sets it itself. TEMPORARY: it goes when lab's tests use
// clitest.Command in their own package.
const asMainEnv = "RAWKIT_TEST_AS_MAIN"

// procRun runs cmd and returns its stdout and exit status; its stderr
// goes to the test log.
func procRun(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	return clitest.ProcRun(t, cmd)
}
