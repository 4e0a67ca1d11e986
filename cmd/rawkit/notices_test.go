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
// module the binary's build information lists, at the version linked,
// and of no other module; LICENSE is BSD-3-Clause with its copyright line.
func TestThirdPartyNotices(t *testing.T) {
	t.Parallel()
	notices, err := os.ReadFile(filepath.Join("..", "..", "THIRD_PARTY_NOTICES"))
	if err != nil {
		t.Fatalf("%v: run scripts/notices.sh", err)
	}
	bi, err := buildinfo.ReadFile(clitest.BuildRawkit(t))
	if err != nil {
		t.Fatal(err)
	}
	// Each module's header is "PATH VERSION" between two rules.
	listed := map[string]bool{}
	lines := strings.Split(string(notices), "\n")
	for i := 1; i+1 < len(lines); i++ {
		rule := func(l string) bool { return strings.HasPrefix(l, "=====") }
		if rule(lines[i-1]) && rule(lines[i+1]) && !strings.HasPrefix(lines[i], "The Go standard library") {
			listed[lines[i]] = true
		}
	}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		key := m.Path + " " + m.Version
		if !listed[key] {
			t.Errorf("THIRD_PARTY_NOTICES lacks %s, which the binary links: run scripts/notices.sh", key)
		}
		delete(listed, key)
	}
	for key := range listed {
		t.Errorf("THIRD_PARTY_NOTICES lists %s, which the binary does not link: run scripts/notices.sh", key)
	}
	if !strings.Contains(string(notices), "The Go standard library and runtime") {
		t.Error("THIRD_PARTY_NOTICES lacks the Go standard library's license: run scripts/notices.sh")
	}
	license, err := os.ReadFile(filepath.Join("..", "..", "LICENSE"))
	if err != nil || !strings.Contains(string(license), "Copyright (c) 2026 The rawkit Authors") || !strings.HasPrefix(string(license), "BSD 3-Clause License") {
		t.Errorf("LICENSE is not BSD-3-Clause with the copyright line (%v)", err)
	}
}
