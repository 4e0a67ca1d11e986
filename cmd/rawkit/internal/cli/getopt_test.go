package cli

import (
	"errors"
	"testing"
)

// TestGetoptNonASCII: a character other than ASCII in a cluster is an
// unknown option named whole, before any callback sees a byte of it.
func TestGetoptNonASCII(t *testing.T) {
	t.Parallel()
	for arg, want := range map[string]string{
		"-é":     "unknown option -é",
		"-qé":    "unknown option -é",
		"-q日":    "unknown option -日",
		"-q\xff": `unknown option "-\xff"`,
		"-\xc3":  `unknown option "-\xc3"`,
	} {
		_, err := Getopt([]string{arg, "h"}, GetoptSpec{
			ShortValued: "c",
			Flag: func(name string) error {
				if name != "q" {
					return errors.New("flag " + name)
				}
				return nil
			},
			Value: func(name, val string) error { return errors.New("value " + name) },
		})
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", arg, err, want)
		}
	}
	// A value is not an option: -cé gives é to -c.
	var got string
	_, err := Getopt([]string{"-cé"}, GetoptSpec{
		ShortValued: "c",
		Flag:        func(string) error { return errors.New("flag") },
		Value:       func(_, val string) error { got = val; return nil },
	})
	if err != nil || got != "é" {
		t.Errorf("-cé: value %q, %v", got, err)
	}
}
