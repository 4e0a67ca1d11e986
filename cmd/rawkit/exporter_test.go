package main

import (
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// execCall is what a fake Exec was asked to run.
type execCall struct {
	path string
	argv []string
}

// fakeExporterEnv runs as a rawkit in dir with PATH holding what path
// says ("" nothing), and records the Exec.
func fakeExporterEnv(dir, path string, got *[]execCall) *exporterEnv {
	return &exporterEnv{
		Executable: func() (string, error) { return filepath.Join(dir, "rawkit"), nil },
		LookPath: func(name string) (string, error) {
			if path == "" {
				return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
			}
			return path, nil
		},
		Exec: func(p string, argv, _ []string) error {
			*got = append(*got, execCall{p, argv})
			return errors.New("exec recorded")
		},
	}
}

// TestExporterExecs: `rawkit exporter ARGS` executes the rawkit-exporter
// next to rawkit with ARGS, else the one in PATH; without either it
// prints one line naming the missing program and how to get it, status 2.
func TestExporterExecs(t *testing.T) {
	t.Parallel()
	next, empty := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(next, "rawkit-exporter"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config.file", "/etc/rawkit/exporter.yml", "--web.listen-address=:9"}
	for _, tc := range []struct {
		name, dir, path, want string
	}{
		{"next to rawkit", next, "/usr/bin/rawkit-exporter", filepath.Join(next, "rawkit-exporter")},
		{"in PATH", empty, "/opt/bin/rawkit-exporter", "/opt/bin/rawkit-exporter"},
	} {
		var got []execCall
		code, _, stderr := clitest.Run(t, exporterCommand(fakeExporterEnv(tc.dir, tc.path, &got)), args...)
		want := execCall{tc.want, append([]string{"rawkit-exporter"}, args...)}
		if len(got) != 1 || got[0].path != want.path || !slices.Equal(got[0].argv, want.argv) {
			t.Errorf("%s: executed %v, want %v", tc.name, got, want)
		}
		// The fake Exec returns: what a failed execve(2) does.
		if code != 2 || !strings.HasPrefix(stderr, "rawkit exporter: cannot run "+tc.want+": exec recorded\n") {
			t.Errorf("%s: a failed exec gave status %d, stderr %q", tc.name, code, stderr)
		}
	}
	var got []execCall
	code, _, stderr := clitest.Run(t, exporterCommand(fakeExporterEnv(empty, "", &got)), args...)
	if len(got) != 0 || code != 2 || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "rawkit-exporter, not found in "+empty+" or in PATH") || !strings.Contains(stderr, "go build") {
		t.Errorf("without rawkit-exporter: executed %v, status %d, stderr %q; want status 2, one line naming it and how to build it", got, code, stderr)
	}
}

// TestExporterHelpNoExec: `rawkit help exporter` and `rawkit exporter -h`
// print the option table without executing anything.
func TestExporterHelpNoExec(t *testing.T) {
	t.Parallel()
	var got []execCall
	c := exporterCommand(fakeExporterEnv(t.TempDir(), "", &got))
	code, out, _ := clitest.Run(t, c, "-h")
	help := helpCommand(func() []*cli.Command { return []*cli.Command{c} })
	code2, out2, _ := clitest.Run(t, help, "exporter")
	if code != 0 || code2 != 0 || len(got) != 0 || out != out2 || !strings.Contains(out, "--web.listen-address HOST:PORT") || !strings.Contains(out, "file_sd_configs:") {
		t.Errorf("help: status %d and %d, executed %v; output:\n%s", code, code2, got, out)
	}
}

// TestExporterBinary: the built rawkit runs the rawkit-exporter built next
// to it, in its own process (execve keeps the PID: the exporter's
// /proc/self is the process rawkit started as).
func TestExporterBinary(t *testing.T) {
	t.Parallel()
	bin := clitest.BuildRawkit(t)
	out, err := exec.Command(bin, "exporter", "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "rawkit-exporter ") {
		t.Errorf("rawkit exporter --version: %v, %q", err, out)
	}
	cmd := exec.Command(bin, "exporter", "--config.file", "/nonexistent/exporter.yml")
	stderr, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || string(stderr) != "rawkit exporter: config: open /nonexistent/exporter.yml: no such file or directory\n" {
		t.Errorf("a bad config: %v, %q", err, stderr)
	}
}

// exporterModules are the modules of the exporter that rawkit must not
// link: their package initialisation would run at every start of every
// command (3.2 ms against 1.3 ms of init in all, GODEBUG=inittrace=1).
var exporterModules = []string{
	"github.com/prometheus/client_golang", "github.com/prometheus/client_model",
	"github.com/prometheus/common", "github.com/prometheus/exporter-toolkit",
	"google.golang.org/protobuf", "yaml",
}

// TestRawkitLinksNoExporterModules: the rawkit binary's build information
// lists none of the exporter's modules; rawkit-exporter's lists them
// (else this test would check names nothing links).
func TestRawkitLinksNoExporterModules(t *testing.T) {
	t.Parallel()
	bin := clitest.BuildRawkit(t)
	links := func(path string) map[string]bool {
		bi, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, d := range bi.Deps {
			for _, x := range exporterModules {
				if strings.Contains(d.Path, x) {
					m[x] = true
				}
			}
		}
		return m
	}
	for x := range links(bin) {
		t.Errorf("rawkit links %s, a module of the exporter: import it only from rawkit-exporter's packages", x)
	}
	exp := links(filepath.Join(filepath.Dir(bin), "rawkit-exporter"))
	for _, x := range []string{"github.com/prometheus/client_golang", "google.golang.org/protobuf", "yaml"} {
		if !exp[x] {
			t.Errorf("rawkit-exporter does not link %s: update exporterModules", x)
		}
	}
}
