package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/docgen"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/man and contrib/completion from the option tables (scripts/gendocs.sh)")

// regenerate is what a failure says to run.
const regenerate = "run scripts/gendocs.sh and commit the result"

// generatedDocs returns every generated file, by path from the
// repository's root: a manual page per command, rawkit(1), and the
// completion scripts the package installs.
func generatedDocs(t *testing.T) map[string]string {
	t.Helper()
	cmds := allCommands()
	files := map[string]string{"docs/man/rawkit.1": docgen.Index(cmds)}
	for _, c := range cmds {
		page, err := docgen.Man(c)
		if err != nil {
			t.Errorf("%v: give it one (a doc.go in its package, set as the Command's Doc), then %s", err, regenerate)
			continue
		}
		files["docs/man/"+docgen.PageName(c)+".1"] = page
	}
	files["contrib/completion/rawkit.bash"] = docgen.Bash(cmds)
	files["contrib/completion/_rawkit"] = docgen.Zsh(cmds)
	files["contrib/completion/rawkit.fish"] = docgen.Fish(cmds)
	return files
}

// TestGeneratedDocs: the committed manual pages and completion scripts
// are what the commands' option tables generate now, and no page is left
// for a command that is gone. With -update-docs it writes them.
func TestGeneratedDocs(t *testing.T) {
	files := generatedDocs(t)
	root := filepath.Join("..", "..")
	if *updateDocs {
		for path, text := range files {
			p := filepath.Join(root, path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for path, text := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s is missing: %s", path, regenerate)
		} else if string(got) != text {
			t.Errorf("%s is stale: it differs from what the option tables generate; %s", path, regenerate)
		}
	}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "man", "*.1"))
	for _, p := range pages {
		rel := "docs/man/" + filepath.Base(p)
		if _, ok := files[rel]; !ok {
			t.Errorf("%s documents no command of rawkit: remove it (scripts/gendocs.sh does not)", rel)
		}
	}
}

// TestEveryCommandDocumented: every command `rawkit help` lists has an
// option table, so a manual page and completions, and the completion
// scripts offer it.
func TestEveryCommandDocumented(t *testing.T) {
	t.Parallel()
	cmds := allCommands()
	for _, c := range cmds {
		if c.Doc == nil {
			t.Errorf("command %s has no option table: add cmd/rawkit/internal/%s/doc.go (a cli.Doc set as the Command's Doc), then %s", c.Name, c.Name, regenerate)
			continue
		}
		for _, shell := range docgen.Shells {
			script, _ := docgen.Completion(shell, cmds)
			if !strings.Contains(script, c.Name) {
				t.Errorf("the %s completion does not offer command %s", shell, c.Name)
			}
		}
	}
}

// needTool returns the path of a tool a test runs, skipping the test
// without it, unless RAWKIT_PRIVILEGED=1 (scripts/test-privileged.sh,
// which installs it): then its absence fails the test.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("RAWKIT_PRIVILEGED") == "1" {
			t.Fatalf("%s is not installed (scripts/test-privileged.sh installs it)", name)
		}
		t.Skipf("%s is not installed (scripts/test-privileged.sh installs it)", name)
	}
	return p
}

// TestManPagesRender: every committed page renders with groff -man -ww
// and passes mandoc -T lint without a message.
func TestManPagesRender(t *testing.T) {
	t.Parallel()
	groff, mandoc := needTool(t, "groff"), needTool(t, "mandoc")
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "man", "*.1"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages under docs/man (%v): %s", err, regenerate)
	}
	slices.Sort(pages)
	for _, p := range pages {
		cmd := exec.Command(groff, "-man", "-ww", "-Tutf8", "-z", p)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("groff -man -ww %s: %v\n%s", p, err, out)
		}
		cmd = exec.Command(mandoc, "-T", "lint", "-W", "all", p)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("mandoc -T lint %s: %v\n%s", p, err, out)
		}
	}
}
