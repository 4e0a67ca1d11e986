package main

import (
	"fmt"
	"slices"
	"strings"
)

// getoptSpec says how a command's options are spelled, for getopt.
type getoptSpec struct {
	shortValued string   // short options that take a value, e.g. "ciW"
	longFlags   []string // long options without a value, e.g. "json"
	longValued  []string // long options with a value, e.g. "rate"
	// flag is called with a short flag ("q") or a long one ("json");
	// value with an option that took a value ("c" or "rate") and it.
	flag  func(name string) error
	value func(name, val string) error
}

// getopt reads args the way GNU getopt_long does, as iputils and Linux
// traceroute do: options and operands in any order ("ping 127.0.0.1
// -c 3"), values attached or separate (-c5, -c 5, --rate=10, --rate 10),
// flags combined (-qn), "--" ends the options. It returns the operands.
// Every error names the option or value at fault.
func getopt(args []string, s getoptSpec) (operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			switch {
			case slices.Contains(s.longFlags, name):
				if hasVal {
					return nil, fmt.Errorf("option --%s takes no value, got %q", name, val)
				}
				if err := s.flag(name); err != nil {
					return nil, err
				}
				continue
			case !slices.Contains(s.longValued, name):
				return nil, fmt.Errorf("unknown option %q", a)
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("option --%s needs a value", name)
				}
				i++
				val = args[i]
			}
			if err := s.value(name, val); err != nil {
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
// returns the index of the last argument it used.
func getoptShort(args []string, i int, s getoptSpec) (int, error) {
	a := args[i]
	for j := 1; j < len(a); j++ {
		c := a[j]
		if !strings.ContainsRune(s.shortValued, rune(c)) {
			if err := s.flag(string(c)); err != nil {
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
		return i, s.value(string(c), val)
	}
	return i, nil
}

// setFamily records -4 or -6 (c) in *family as 4 or 6; giving both is an
// error, as in iputils and traceroute.
func setFamily(family *int, c byte) error {
	f := int(c - '0')
	if *family != 0 && *family != f {
		return fmt.Errorf("options -4 and -6 are mutually exclusive")
	}
	*family = f
	return nil
}
