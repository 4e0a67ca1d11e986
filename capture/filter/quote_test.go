package filter

import (
	"strings"
	"testing"
)

// A long expression is not echoed whole: a 45 KB filter with a bad word
// at its end made a 45 KB error line.
func TestLongExpressionErrorIsShort(t *testing.T) {
	t.Parallel()
	expr := strings.Repeat("tcp port 80 or ", 3000) + "tcp port bogus"
	_, err := New(expr, LinkEthernet)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > 200 {
		t.Fatalf("error of %d bytes: %.300s", len(msg), msg)
	}
	for _, want := range []string{`port "bogus"`, "(45014 bytes)", "\"… tcp port 80 or"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	// A short one is quoted whole, as before.
	_, err = New("tcp port bogus", LinkEthernet)
	if err == nil || !strings.HasPrefix(err.Error(), `filter "tcp port bogus": `) {
		t.Errorf("short expression: %v", err)
	}
}
