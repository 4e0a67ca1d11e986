//go:build privileged

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPackageInstalls builds the .deb (checking it with lintian), unpacks
// it into a scratch root with dpkg -x, runs the installed binaries'
// version (rawkit-exporter's also as "rawkit exporter", which executes
// the one installed next to rawkit), checks the exporter's unit and
// configuration (a conffile), renders installed manual pages, and removes
// the root. It is
// here, not in the unprivileged suite, because scripts/test-privileged.sh
// installs lintian, groff and mandoc.
func TestPackageInstalls(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"dpkg-deb", "lintian", "groff", "mandoc"} {
		needTool(t, tool)
	}
	dist := t.TempDir()
	code, out, errOut := runPackage(t, packageScript, os.Environ(), "--allow-dirty", "--lint", "-o", dist)
	if code != 0 {
		t.Fatalf("package.sh: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "\nE: ") || strings.HasPrefix(out, "E: ") {
		t.Errorf("lintian reports errors:\n%s", out)
	}
	deb := strings.SplitN(out, "\n", 2)[0]
	m := regexp.MustCompile(`/rawkit_([0-9][A-Za-z0-9.+~]*)-1_[a-z0-9]+\.deb$`).FindStringSubmatch(deb)
	if m == nil {
		t.Fatalf("package.sh printed %q, want the path of rawkit_VERSION-1_ARCH.deb", deb)
	}
	version := m[1]

	root := filepath.Join(t.TempDir(), "root")
	if out, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	got, err := exec.Command(filepath.Join(root, "usr/bin/rawkit"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(got), "rawkit "+version+" (") {
		t.Errorf("installed rawkit version: %v, %q; want it to start with %q", err, got, "rawkit "+version+" (")
	}
	// PATH without the directory: rawkit finds the exporter next to itself.
	for _, argv := range [][]string{{"usr/bin/rawkit-exporter", "--version"}, {"usr/bin/rawkit", "exporter", "--version"}} {
		cmd := exec.Command(filepath.Join(root, argv[0]), argv[1:]...)
		cmd.Env = []string{"PATH=/nonexistent"}
		got, err := cmd.CombinedOutput()
		if err != nil || !strings.HasPrefix(string(got), "rawkit-exporter "+version+" (") {
			t.Errorf("installed %s: %v, %q; want it to start with %q", strings.Join(argv, " "), err, got, "rawkit-exporter "+version+" (")
		}
	}
	unit, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/rawkit-exporter.service"))
	if err != nil || !strings.Contains(string(unit), "\nExecStart=/usr/bin/rawkit-exporter --config.file=/etc/rawkit/exporter.yml") {
		t.Errorf("installed unit (%v) does not start /usr/bin/rawkit-exporter on /etc/rawkit/exporter.yml:\n%s", err, unit)
	}
	conffiles, err := exec.Command("dpkg-deb", "-I", deb, "conffiles").Output()
	if err != nil || !strings.Contains(string(conffiles), "/etc/rawkit/exporter.yml\n") {
		t.Errorf("conffiles (%v): %q, want /etc/rawkit/exporter.yml", err, conffiles)
	}
	for _, f := range []string{
		"usr/share/man/man1/rawkit.1.gz", "usr/share/man/man1/rawkit-traceroute.1.gz",
		"usr/share/man/man1/rawkit-exporter.1.gz", "etc/rawkit/exporter.yml",
		"usr/share/bash-completion/completions/rawkit", "usr/share/zsh/vendor-completions/_rawkit",
		"usr/share/fish/vendor_completions.d/rawkit.fish",
		"usr/share/doc/rawkit/copyright", "usr/share/doc/rawkit/changelog.Debian.gz",
		"usr/share/doc/rawkit/THIRD_PARTY_NOTICES.gz",
	} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("the package lacks %s", f)
		}
	}
	for _, name := range []string{"rawkit-ping", "rawkit-exporter"} {
		page := filepath.Join(root, "usr/share/man/man1/"+name+".1.gz")
		render := exec.Command("sh", "-c", `gzip -dc "$1" | groff -man -ww -Tutf8 -P-cbou 2>&1`, "sh", page)
		text, err := render.Output()
		if err != nil || !strings.Contains(string(text), "PRIVILEGES") || !strings.Contains(string(text), "ping_group_range") || strings.Contains(string(text), "warning") {
			t.Errorf("installed %s(1) does not render (%v):\n%.400s", name, err, text)
		}
	}
	if err := os.RemoveAll(root); err != nil {
		t.Errorf("removing the scratch root: %v", err)
	}
}
