package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeSetUp: the README is a front page (under 20 KB), its "Set up"
// section holds two commands, the first building and running the tool and
// the second exactly the command .ci/run runs, and its links to files of
// the repository lead somewhere.
func TestReadmeSetUp(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) >= 20000 {
		t.Errorf("README.md is %d bytes: keep it a front page under 20 KB, the reference in docs/", len(readme))
	}
	_, setUp, ok := strings.Cut(string(readme), "\n## Set up\n")
	if !ok {
		t.Fatal(`README.md has no "## Set up" section`)
	}
	setUp, _, _ = strings.Cut(setUp, "\n## ")
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)\n```").FindAllStringSubmatch(setUp, -1)
	if len(blocks) != 2 {
		t.Fatalf("Set up has %d sh blocks, want 2: build and run, then test", len(blocks))
	}
	build, test := blocks[0][1], blocks[1][1]
	if !strings.Contains(build, "go build") || !strings.Contains(build, "./cmd/rawkit") || !strings.Contains(build, "./rawkit") {
		t.Errorf("the first set-up command %q does not build ./cmd/rawkit and run it", build)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^exec (.+)$`).FindStringSubmatch(string(ci))
	if m == nil {
		t.Fatal(".ci/run execs no command")
	}
	if test != m[1] {
		t.Errorf("README's test command is %q, .ci/run runs %q", test, m[1])
	}
	for _, link := range regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`).FindAllStringSubmatch(string(readme), -1) {
		if _, err := os.Stat(filepath.Join(root, link[1])); err != nil {
			t.Errorf("README links to %s, which does not exist", link[1])
		}
	}
}
