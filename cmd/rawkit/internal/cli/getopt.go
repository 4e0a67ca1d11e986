package cli

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// GetoptSpec says how a command's options are spelled, for [Getopt].
type GetoptSpec struct {
	ShortValued string   // short options that take a value, e.g. "ciW"
	LongFlags   []string // long options without a value, e.g. "json"
	LongValued  []string // long options with a value, e.g. "rate"
	// Flag is called with a short flag ("q") or a long one ("json");
	// Value with an option that took a value ("c" or "rate") and it.
	Flag  func(name string) error
	Value func(name, val string) error
}

// Getopt reads args the way GNU getopt_long does, as iputils and Linux
// traceroute do: options and operands in any order ("ping 127.0.0.1
// -c 3"), values attached or separate (-c5, -c 5, --rate=10, --rate 10),
// flags combined (-qn), "--" ends the options. It returns the operands.
// Every error names the option or value at fault.
func Getopt(args []string, s GetoptSpec) (operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			switch {
			case slices.Contains(s.LongFlags, name):
				if hasVal {
					return nil, fmt.Errorf("option --%s takes no value, got %q", name, val)
				}
				if err := s.Flag(name); err != nil {
					return nil, err
				}
				continue
			case !slices.Contains(s.LongValued, name):
				return nil, fmt.Errorf("unknown option %q", a)
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("option --%s needs a value", name)
				}
				i++
				val = args[i]
			}
			if err := s.Value(name, val); err != nil {
				return nil, err
			}
		case len(a) > 1 && a[0] == '-':
			n, err := getoptShort(args, i, s)
			if err != nil {
				return nil, err
			}
			i = n
		default:
			operands = append(operands, a)
		}
	}
	return operands, nil
}

// getoptShort reads the cluster of short options args[i] ("-qnc5") and
// returns the index of the last argument it used. Options are ASCII: any
// other character is an unknown option, named whole ("-é", not one of its
// bytes), and so is a byte that is not UTF-8 ("-\xff").
func getoptShort(args []string, i int, s GetoptSpec) (int, error) {
	a := args[i]
	for j := 1; j < len(a); j++ {
		c := a[j]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(a[j:])
			if r == utf8.RuneError && n == 1 {
				return i, fmt.Errorf("unknown option %q", "-"+a[j:j+1])
			}
			return i, fmt.Errorf("unknown option -%c", r)
		}
		if !strings.ContainsRune(s.ShortValued, rune(c)) {
			if err := s.Flag(string(c)); err != nil {
				return i, err
			}
			continue
		}
		val := a[j+1:]
		if val == "" {
			if i+1 >= len(args) {
				return i, fmt.Errorf("option -%c needs a value", c)
			}
			i++
			val = args[i]
		}
		return i, s.Value(string(c), val)
	}
	return i, nil
}

// SetFamily records -4 or -6 (c) in *family as 4 or 6; giving both is an
// error, as in iputils and traceroute.
func SetFamily(family *int, c byte) error {
	f := int(c - '0')
	if *family != 0 && *family != f {
		return fmt.Errorf("options -4 and -6 are mutually exclusive")
	}
	*family = f
	return nil
}
