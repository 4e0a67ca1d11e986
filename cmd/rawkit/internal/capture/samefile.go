package capture

import (
	"io"
	"os"
)

// statter is what *os.File has and a test's in-memory reader lacks.
type statter interface {
	Stat() (os.FileInfo, error)
}

// sameFile reports whether the -w file (or standard output, for "-") is
// the file that in reads: os.Create would truncate what is being read.
// The files are compared by device and inode (stat(2)), not by name, so
// that relative and absolute paths, symlinks, hard links and standard
// input redirected from the file are all caught. Only regular files
// count: "-r - -w -" between two ends of /dev/null loses nothing.
func sameFile(in io.Reader, out io.Writer, wfile string) bool {
	if wfile == "" {
		return false
	}
	is, ok := in.(statter)
	if !ok {
		return false
	}
	fi, err := is.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	var fo os.FileInfo
	if wfile == "-" {
		so, ok := out.(statter)
		if !ok {
			return false
		}
		fo, err = so.Stat()
	} else {
		fo, err = os.Stat(wfile) // follows a symlink to its file
	}
	return err == nil && os.SameFile(fi, fo)
}
