//go:build linux && privileged

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
)

// The test binary doubles as the rawkit binary: with this variable set it
// runs the command line it was given and exits, so a test can start real
// rawkit processes inside a namespace.
const asMainEnv = "RAWKIT_TEST_AS_MAIN"

func init() {
	if os.Getenv(asMainEnv) != "1" {
		return
	}
	os.Exit(run(context.Background(), append([]string{"rawkit"}, os.Args[1:]...),
		&stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// rawkitProc returns `rawkit ARGS` run as a process inside h's namespace.
func rawkitProc(ctx context.Context, h *netlab.Host, args ...string) *exec.Cmd {
	cmd := h.Command(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	return cmd
}

// procRun runs cmd and returns its stdout and exit status; its stderr
// goes to the test log.
func procRun(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	if errb.Len() > 0 {
		t.Logf("%v stderr: %s", cmd.Args, errb.String())
	}
	return out.String(), code
}
