package cli_test

import (
	"fmt"
	"os"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

func ExampleFill() {
	fmt.Print(cli.Fill("Send ICMP echo requests to one host or to many.\n\n  rawkit ping -c 3 ::1\n", "  ", 30))
	// Output:
	//   Send ICMP echo requests to
	//   one host or to many.
	//
	//     rawkit ping -c 3 ::1
}

func ExampleDoc_WriteHelp() {
	d := cli.Doc{
		Synopsis:    []string{"rawkit probe [options] HOST"},
		Description: "Probe HOST.",
		Options: []cli.Option{
			{Names: []string{"-c", "--count"}, Arg: "COUNT", Help: "stop after COUNT probes", Range: "1-10", Default: "3"},
			{Names: []string{"--a-very-long-option"}, Arg: "VALUE", Help: "a spelling too long for the column"},
			{Names: []string{"--wait"}, Arg: "TIMEOUT", OptionalArg: true, Help: "wait for answers"},
		},
		Exit: "0 when HOST answered, 1 when not, 2 on errors.",
	}
	d.WriteHelp(os.Stdout)
	// Output:
	// usage: rawkit probe [options] HOST
	//
	// Probe HOST.
	//
	//   -c, --count COUNT  stop after COUNT probes (1-10; default 3)
	//   --a-very-long-option VALUE
	//                      a spelling too long for the column
	//   --wait[=TIMEOUT]   wait for answers
	//
	// Exit status: 0 when HOST answered, 1 when not, 2 on errors.
}
