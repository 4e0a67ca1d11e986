package cli

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// FileError is a failure to create, write or close an output file (-w),
// named as the user gave it: "writing /dev/full: no space left on
// device". Libraries that write through an [Output] wrap its errors in
// their own words ("capture: writing pcap: ..."), which blame the format
// rather than the file; a command finds the FileError with errors.As and
// reports it instead.
type FileError struct {
	Op   string // "creating", "writing", "closing"
	Name string // the file's name; "-" is standard output
	Err  error
}

func (e *FileError) Error() string {
	name := e.Name
	if name == "-" {
		name = "standard output"
	}
	return e.Op + " " + name + ": " + reason(e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// reason is err without the operation and path that os adds ("write
// /dev/full: "): the FileError names both already.
func reason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// AsFileError returns the FileError within err, if any.
func AsFileError(err error) (*FileError, bool) {
	var fe *FileError
	ok := errors.As(err, &fe)
	return fe, ok
}

// Output is an output file whose errors are FileErrors naming it.
type Output struct {
	name string
	w    io.Writer
	c    io.Closer // nil for standard output, which the command does not close
}

// CreateOutput creates (truncates) the file name with create (nil:
// os.Create), or with name "-" writes to stdout.
func CreateOutput(name string, stdout io.Writer, create func(string) (*os.File, error)) (*Output, error) {
	if name == "-" {
		return &Output{name: name, w: stdout}, nil
	}
	if create == nil {
		create = os.Create
	}
	f, err := create(name)
	if err != nil {
		return nil, &FileError{Op: "creating", Name: name, Err: err}
	}
	return &Output{name: name, w: f, c: f}, nil
}

// Write writes p to the file.
func (o *Output) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		err = &FileError{Op: "writing", Name: o.name, Err: err}
	}
	return n, err
}

// Close closes the file (not standard output): on some file systems the
// data is only known to be written then.
func (o *Output) Close() error {
	if o.c == nil {
		return nil
	}
	if err := o.c.Close(); err != nil {
		return &FileError{Op: "closing", Name: o.name, Err: err}
	}
	return nil
}
