package docgen_test

import (
	"fmt"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/docgen"
)

func ExampleMan() {
	c := &cli.Command{
		Name:    "probe",
		Summary: "probe a host",
		Doc: &cli.Doc{
			Synopsis:    []string{"rawkit probe [-c COUNT] HOST"},
			Description: "Probe HOST. It waits for answers.",
			Options:     []cli.Option{{Names: []string{"-c"}, Arg: "COUNT", Help: "stop after COUNT probes", Range: "1-10", Default: "3"}},
			Exit:        "0 when HOST answered, 2 on errors.",
			SeeAlso:     []string{"rawkit(1)", "ping(8)"},
		},
	}
	page, _ := docgen.Man(c)
	_, body, _ := strings.Cut(page, ".SH NAME") // after the title line, whose date changes
	fmt.Print(".SH NAME" + body)
	// Output:
	// .SH NAME
	// rawkit\-probe \-
	// probe a host
	// .SH SYNOPSIS
	// .nf
	// rawkit probe [\-c COUNT] HOST
	// .fi
	// .SH DESCRIPTION
	// Probe HOST.
	// It waits for answers.
	// .SH OPTIONS
	// .TP
	// \fB\-c\fR \fICOUNT\fR
	// stop after COUNT probes
	// .br
	// Range: 1-10.
	// Default: 3.
	// .SH EXIT STATUS
	// 0 when HOST answered, 2 on errors.
	// .SH SEE ALSO
	// .BR rawkit (1),
	// .BR ping (8)
}

func ExampleCompletion() {
	_, ok := docgen.Completion("ksh", nil)
	fmt.Println(ok)
	// Output: false
}
