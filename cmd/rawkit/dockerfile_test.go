package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks what can be checked of the image without a
// container runtime: the build stage uses the Go of go.mod, its commands
// (run here, in the checkout, with /out/ moved to a scratch directory)
// build static binaries, rawkit and rawkit-exporter, that run and carry
// the version given, and the final stage is a minimal base that copies
// both and runs them as a user other than root.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	text, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]string // instructions by stage
	for _, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], line)
		}
	}
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final one", len(stages))
	}
	build, final := stages[0], stages[1]

	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVersion == nil || !strings.HasPrefix(build[0], "FROM golang:"+string(goVersion[1])+"-") || !strings.HasSuffix(build[0], " AS build") {
		t.Errorf("build stage %q: want FROM golang:%s-... AS build (go.mod's Go)", build[0], goVersion[1])
	}

	out := t.TempDir()
	ran := 0
	for _, ins := range build {
		cmd, ok := strings.CutPrefix(ins, "RUN ")
		if !ok {
			continue
		}
		cmd = strings.ReplaceAll(cmd, "/out/", out+"/")
		sh := exec.Command("sh", "-c", cmd)
		sh.Dir = root
		sh.Env = append(os.Environ(), "VERSION=9.9.9-test")
		if b, err := sh.CombinedOutput(); err != nil {
			t.Fatalf("build stage: %s: %v\n%s", ins, err, b)
		}
		ran++
	}
	for _, name := range []string{"rawkit", "rawkit-exporter"} {
		checkStatic(t, filepath.Join(out, name), name, ran)
	}

	base := final[0]
	if base != "FROM scratch" && !strings.HasPrefix(base, "FROM gcr.io/distroless/static") {
		t.Errorf("final stage %q: want scratch or distroless static", base)
	}
	joined := strings.Join(final, "\n")
	for _, name := range []string{"rawkit", "rawkit-exporter"} {
		if !strings.Contains(joined, "COPY --from=build /out/"+name+" /usr/bin/"+name) {
			t.Errorf("final stage does not copy the build stage's %s to /usr/bin/%s", name, name)
		}
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(joined)
	if user == nil || user[1] == "root" || strings.HasPrefix(user[1], "0:") || user[1] == "0" {
		t.Errorf("final stage runs as %v, want a user other than root", user)
	}
	if !strings.Contains(joined, `ENTRYPOINT ["/usr/bin/rawkit"]`) {
		t.Error("final stage's entry point is not /usr/bin/rawkit")
	}
}

// checkStatic fails t unless bin, named name, is a static binary whose
// version is the one the build stage gave.
func checkStatic(t *testing.T, bin, name string, ran int) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("build stage made no binary at /out/%s (%d commands run): %v", name, ran, err)
	}
	libs, _ := f.ImportedLibraries()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || len(libs) > 0 {
			t.Errorf("%s is not static: interpreter or libraries %v", name, libs)
			break
		}
	}
	f.Close()
	v, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(v), name+" 9.9.9-test (") {
		t.Errorf("built %s's version: %v, %q", name, err, v)
	}
}
