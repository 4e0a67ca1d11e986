package capture

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestCaptureSameFileAnySpelling: -r and -w naming one file by different
// names is refused before the file is truncated, and the file keeps every
// byte.
func TestCaptureSameFileAnySpelling(t *testing.T) {
	t.Parallel()
	path, file := pcapFile(t, 6)
	dir := filepath.Dir(path)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pcap")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.pcap")
	if err := os.Link(path, hard); err != nil {
		t.Fatal(err)
	}
	check := func(name string, code int, errs string) {
		t.Helper()
		if code != cli.ExitError || !strings.Contains(errs, "same file") || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line saying same file", name, code, errs)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, file) {
			t.Fatalf("%s: the input was changed: %d bytes, had %d", name, len(got), len(file))
		}
	}
	for _, args := range [][]string{
		{"-r", path, "-w", path},
		{"-r", rel, "-w", path},
		{"-r", path, "-w", filepath.Join(dir, ".", "in.pcap")},
		{"-r", link, "-w", path},
		{"-r", path, "-w", link},
		{"-r", hard, "-w", path},
	} {
		code, _, errs := clitest.Run(t, New(noDrop()), args...)
		check(strings.Join(args, " "), code, errs)
	}
	// -r - with standard input redirected from the -w file.
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out, errb bytes.Buffer
	code := New(noDrop()).Run(context.Background(), &cli.Stdio{In: in, Out: &out, Err: &errb}, []string{"-r", "-", "-w", hard})
	check("-r - <in.pcap -w hard.pcap", code, errb.String())
	// -w - with standard output appending to the -r file.
	outf, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer outf.Close()
	errb.Reset()
	code = New(noDrop()).Run(context.Background(), &cli.Stdio{In: strings.NewReader(""), Out: outf, Err: &errb}, []string{"-r", link, "-w", "-"})
	check("-r link.pcap -w - >>in.pcap", code, errb.String())
}

// TestCaptureEmptyValues: an empty -r, -w or -i is one line naming the
// option, status 2 (an empty -r used to start a live capture).
func TestCaptureEmptyValues(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 2)
	for _, args := range [][]string{
		{"-r", ""},
		{"-r", path, "-w", ""},
		{"-r", path, "-i", ""},
		{"-i", ""},
	} {
		// Bounded: before the fix an empty -r captured live until stopped.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		code, out, errs := clitest.RunContext(ctx, t, New(noDrop()), args...)
		cancel()
		name := args[len(args)-2]
		if code != cli.ExitError || out != "" || errs != "rawkit capture: empty value for "+name+"\n" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and one line naming %s", args, code, out, errs, name)
		}
	}
}
