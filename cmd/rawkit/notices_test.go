package main

import (
	"debug/buildinfo"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestThirdPartyNotices: THIRD_PARTY_NOTICES carries the license of every
// module the build information of rawkit and of rawkit-exporter lists, at
// the version linked, each with the binaries that link it, and of no
// other module; LICENSE is BSD-3-Clause with its copyright line.
func TestThirdPartyNotices(t *testing.T) {
	t.Parallel()
	notices, err := os.ReadFile(filepath.Join("..", "..", "THIRD_PARTY_NOTICES"))
	if err != nil {
		t.Fatalf("%v: run scripts/notices.sh", err)
	}
	// Each module's header is "PATH VERSION" between two rules, then
	// "Linked into: BINARY...".
	listed := map[string]string{}
	lines := strings.Split(string(notices), "\n")
	for i := 1; i+3 < len(lines); i++ {
		rule := func(l string) bool { return strings.HasPrefix(l, "=====") }
		if rule(lines[i-1]) && rule(lines[i+1]) && !strings.HasPrefix(lines[i], "The Go standard library") {
			into, ok := strings.CutPrefix(lines[i+3], "Linked into: ")
			if !ok {
				t.Errorf("THIRD_PARTY_NOTICES: %s names no binary that links it: run scripts/notices.sh", lines[i])
			}
			listed[lines[i]] = into
		}
	}
	bin := clitest.BuildRawkit(t)
	want := map[string][]string{}
	for _, name := range []string{"rawkit", "rawkit-exporter"} {
		bi, err := buildinfo.ReadFile(filepath.Join(filepath.Dir(bin), name))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range bi.Deps {
			m := d
			if d.Replace != nil {
				m = d.Replace
			}
			key := m.Path + " " + m.Version
			want[key] = append(want[key], name)
		}
	}
	for key, bins := range want {
		into, ok := listed[key]
		switch {
		case !ok:
			t.Errorf("THIRD_PARTY_NOTICES lacks %s, which %s links: run scripts/notices.sh", key, strings.Join(bins, " and "))
		case into != strings.Join(bins, " "):
			t.Errorf("THIRD_PARTY_NOTICES says %s is linked into %q, but %s links it: run scripts/notices.sh", key, into, strings.Join(bins, " and "))
		}
		delete(listed, key)
	}
	for key := range listed {
		t.Errorf("THIRD_PARTY_NOTICES lists %s, which neither binary links: run scripts/notices.sh", key)
	}
	if !strings.Contains(string(notices), "The Go standard library and runtime") {
		t.Error("THIRD_PARTY_NOTICES lacks the Go standard library's license: run scripts/notices.sh")
	}
	license, err := os.ReadFile(filepath.Join("..", "..", "LICENSE"))
	if err != nil || !strings.Contains(string(license), "Copyright (c) 2026 The rawkit Authors") || !strings.HasPrefix(string(license), "BSD 3-Clause License") {
		t.Errorf("LICENSE is not BSD-3-Clause with the copyright line (%v)", err)
	}
}
