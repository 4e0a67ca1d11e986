// Package clitest is what the tests of rawkit's commands share: running a
// command in memory ([Run]), building the real binary ([BuildRawkit]) and
// letting a test binary stand in for rawkit in another process, such as
// one inside a namespace ([AsMain], [Command], [ProcRun]).
//
// Only tests import it.
package clitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// Run runs c with args, standard input empty, and returns its exit
// status and what it wrote.
func Run(t testing.TB, c *cli.Command, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return RunContext(context.Background(), t, c, args...)
}

// RunContext is [Run] with a context.
func RunContext(ctx context.Context, t testing.TB, c *cli.Command, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = c.Run(ctx, &cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
	return code, out.String(), errb.String()
}

// BuildRawkit builds the rawkit binary (without the race detector, so
// that its memory and speed are the real ones) into the test's temporary
// directory and returns its path. rawkit-exporter is built next to it,
// where `rawkit exporter` finds it.
func BuildRawkit(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := build(dir, nil); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			t.Skipf("no go tool to build the binary: %v", err)
		}
		t.Fatal(err)
	}
	return filepath.Join(dir, "rawkit")
}

// Packages are the main packages of rawkit's binaries: rawkit and
// rawkit-exporter, which `rawkit exporter` executes.
var Packages = []string{"github.com/rawkit/rawkit/cmd/rawkit", "github.com/rawkit/rawkit/cmd/rawkit/rawkit-exporter"}

// build builds rawkit and rawkit-exporter into dir, with env added to the
// environment.
func build(dir string, env []string) error {
	gotool, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	cmd := exec.Command(gotool, append([]string{"build", "-o", dir + string(filepath.Separator)}, Packages...)...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

// asMainEnv, set to 1 in a test binary's environment, makes [AsMain] run
// the command line the binary was given instead of the tests.
const asMainEnv = "RAWKIT_TEST_AS_MAIN"

// AsMain lets a test binary double as the rawkit binary: called from a
// package's TestMain or init, it does nothing unless the process was
// started by [Command]; then it runs os.Args[1] (one of cmds, by name)
// with the rest of the arguments and exits with its status.
func AsMain(cmds ...*cli.Command) {
	if os.Getenv(asMainEnv) != "1" || len(os.Args) < 2 {
		return
	}
	sio := &cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	for _, c := range cmds {
		if c.Name == os.Args[1] {
			os.Exit(c.Run(context.Background(), sio, os.Args[2:]))
		}
	}
	os.Exit(cli.Failf(sio, os.Args[1], "not a command of this test binary"))
}

// Commander starts a program in some context, as a netlab host starts one
// inside its namespace; exec.CommandContext is one.
type Commander func(ctx context.Context, name string, args ...string) *exec.Cmd

// Command returns `rawkit ARGS` run as a process started by start: the
// test binary itself, which [AsMain] turns into rawkit.
func Command(ctx context.Context, start Commander, args ...string) *exec.Cmd {
	cmd := start(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	return cmd
}

// ProcRun runs cmd and returns its stdout and exit status; its stderr
// goes to the test log.
func ProcRun(t testing.TB, cmd *exec.Cmd) (string, int) {
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

// NoDNS returns a resolver that answers from /etc/hosts and never asks a
// name server: tests and fuzz targets that pass names to a command send no
// query off the machine.
func NoDNS() *net.Resolver {
	return &net.Resolver{
		PreferGo: true, // the cgo resolver would not use Dial
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("no name server in tests")
		},
	}
}
