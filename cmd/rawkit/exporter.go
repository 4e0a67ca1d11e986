package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter/exporterdoc"
)

// exporterEnv holds what a test of `rawkit exporter` replaces; nil
// fields are the real things.
type exporterEnv struct {
	// Executable returns the path of the running rawkit (os.Executable).
	Executable func() (string, error)
	// LookPath finds a program in PATH (exec.LookPath).
	LookPath func(string) (string, error)
	// Exec replaces the process with a program (syscall.Exec).
	Exec func(path string, argv, env []string) error
}

// exporterCommand returns `rawkit exporter`: its option table and help
// are here, the exporter itself is the program rawkit-exporter, which Run
// executes in rawkit's place. Linking the exporter (HTTP, TLS, YAML,
// Prometheus' client) into rawkit would make every command pay for the
// initialisation of those packages at each start, and give a setcap'd
// rawkit a web server it never runs.
func exporterCommand(env *exporterEnv) *cli.Command {
	e := exporterEnv{Executable: os.Executable, LookPath: exec.LookPath, Exec: syscall.Exec}
	if env != nil {
		if env.Executable != nil {
			e.Executable = env.Executable
		}
		if env.LookPath != nil {
			e.LookPath = env.LookPath
		}
		if env.Exec != nil {
			e.Exec = env.Exec
		}
	}
	c := &cli.Command{Name: "exporter", Summary: exporterdoc.Summary, Doc: &exporterdoc.Doc}
	c.Run = func(_ context.Context, sio *cli.Stdio, args []string) int {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			c.PrintUsage(sio.Out)
			return cli.ExitOK
		}
		return e.run(sio, args)
	}
	return c
}

// run executes rawkit-exporter with args, and returns only when it
// cannot: execve(2) keeps the process ID, the signal mask, the user and
// the open standard streams, so to whoever started rawkit (a shell, sudo,
// systemd, a test watching the PID) the exporter is the same process.
// Caught signals get their default disposition back (signal(7)): main
// catches SIGINT, SIGTERM and SIGQUIT, it never ignores them.
func (e *exporterEnv) run(sio *cli.Stdio, args []string) int {
	path, err := e.find()
	if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	argv := append([]string{exporterdoc.Binary}, args...)
	err = e.Exec(path, argv, os.Environ())
	// ETXTBSY: the file is open for writing somewhere, as while a package
	// upgrade or a copy replaces it (execve(2)); that passes in moments.
	for try := 0; errors.Is(err, syscall.ETXTBSY) && try < 50; try++ {
		time.Sleep(10 * time.Millisecond)
		err = e.Exec(path, argv, os.Environ())
	}
	if err != nil {
		return cli.Failf(sio, "exporter", "cannot run %s: %v", path, err)
	}
	return cli.ExitOK // not reached: Exec returns only on failure
}

// find returns the rawkit-exporter next to the running rawkit (where the
// package, the image and a `go build -o DIR ./cmd/rawkit/...` put it),
// else the one in PATH.
func (e *exporterEnv) find() (string, error) {
	self, err := e.Executable()
	if err == nil {
		next := filepath.Join(filepath.Dir(self), exporterdoc.Binary)
		if fi, err := os.Stat(next); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return next, nil
		}
	}
	p, lerr := e.LookPath(exporterdoc.Binary)
	if lerr == nil {
		return p, nil
	}
	where := "next to rawkit"
	if err == nil {
		where = "in " + filepath.Dir(self)
	}
	if errors.Is(lerr, exec.ErrDot) {
		where += " or in PATH (only in a relative directory, which is not used)"
	} else {
		where += " or in PATH"
	}
	return "", errors.New("the exporter is the program " + exporterdoc.Binary + ", not found " + where +
		": install the rawkit package, or build it next to rawkit (go build -o DIR/ ./cmd/rawkit ./cmd/rawkit/rawkit-exporter)")
}
