package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// packageScript is scripts/package.sh, by path from this package.
var packageScript = filepath.Join("..", "..", "scripts", "package.sh")

// runPackage runs a copy of package.sh at script with env and returns its
// status and output.
func runPackage(t *testing.T, script string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("/bin/bash", append([]string{script}, args...)...)
	cmd.Env = env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// TestPackageRefusesBadUse: without the tools it needs, or from a tree
// with uncommitted changes, package.sh prints one line naming the
// problem and exits 2, having built nothing.
func TestPackageRefusesBadUse(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	// Missing tools: a PATH with bash alone.
	bin := t.TempDir()
	if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPackage(t, packageScript, []string{"PATH=" + bin})
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "needs go") {
		t.Errorf("without tools: exit %d, stdout %q, stderr %q; want 2 and one line naming go", code, out, errOut)
	}

	// A dirty tree: a scratch repository holding the script and a file
	// not committed.
	for _, tool := range []string{"git", "go", "dpkg-deb", "gzip", "md5sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: the dirty-tree case needs the tools to pass", tool)
		}
	}
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "scripts"), 0o755); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(packageScript)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(repo, "scripts", "package.sh")
	if err := os.WriteFile(script, text, 0o755); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "x")
	if err := os.WriteFile(filepath.Join(repo, "uncommitted"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runPackage(t, script, os.Environ())
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "uncommitted changes") {
		t.Errorf("dirty tree: exit %d, stdout %q, stderr %q; want 2 and one line about uncommitted changes", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(repo, "dist")); err == nil {
		t.Error("dirty tree: dist/ was made")
	}
	// A bad argument.
	code, _, errOut = runPackage(t, packageScript, os.Environ(), "--bogus")
	if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `"--bogus"`) {
		t.Errorf("--bogus: exit %d, stderr %q; want 2 and one line naming it", code, errOut)
	}
}
