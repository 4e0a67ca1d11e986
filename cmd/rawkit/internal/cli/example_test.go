package cli_test

import (
	"fmt"
	"math"
	"os"
	"syscall"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

func ExampleGetopt() {
	var quiet bool
	var count int
	operands, err := cli.Getopt([]string{"127.0.0.1", "-qc3"}, cli.GetoptSpec{
		ShortValued: "c",
		Flag: func(name string) error {
			quiet = name == "q"
			return nil
		},
		Value: func(name, v string) (err error) {
			count, err = cli.Int("-"+name, "count", v, 1, math.MaxInt32)
			return err
		},
	})
	fmt.Println(operands, quiet, count, err)
	// Output: [127.0.0.1] true 3 <nil>
}

func ExampleInt() {
	_, err := cli.Int("-t", "ttl", "300", 1, 255)
	fmt.Println(err)
	// Output: bad ttl "300" for -t: want a whole number from 1 to 255
}

func ExampleFileError() {
	err := fmt.Errorf("capture: writing pcap: %w", &cli.FileError{
		Op: "writing", Name: "/dev/full",
		Err: &os.PathError{Op: "write", Path: "/dev/full", Err: syscall.ENOSPC},
	})
	if fe, ok := cli.AsFileError(err); ok {
		fmt.Println(fe)
	}
	fmt.Println(&cli.FileError{Op: "writing", Name: "-", Err: syscall.EPIPE})
	// Output:
	// writing /dev/full: no space left on device
	// writing standard output: broken pipe
}
