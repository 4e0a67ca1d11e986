//go:build linux

package netlabtest

import "testing"

func TestRunPattern(t *testing.T) {
	for in, want := range map[string]string{
		"TestX":          "^TestX$",
		"TestX/sub_case": "^TestX$/^sub_case$",
		"TestY/a.b(c)":   `^TestY$/^a\.b\(c\)$`,
	} {
		if got := runPattern(in); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
