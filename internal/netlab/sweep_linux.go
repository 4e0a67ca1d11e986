//go:build linux

package netlab

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
)

// Prefix starts the name of every namespace that a test makes:
// "rk-PID-N-role", PID being the test process's.
const Prefix = "rk-"

// Namespaces lists the named network namespaces whose names start with
// prefix ("" for all).
func Namespaces(prefix string) ([]string, error) {
	ents, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Remove deletes every named namespace whose name starts with prefix
// (which must not be empty): `rawkit lab down` and leftovers.
func Remove(ctx context.Context, prefix string) error {
	if prefix == "" {
		return errors.New("netlab: refusing to remove namespaces with an empty prefix")
	}
	names, err := Namespaces(prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		errs = append(errs, (&Host{Name: n}).remove(ctx))
	}
	return errors.Join(errs...)
}

// Sweep deletes the namespaces left behind by test processes that no
// longer run ("rk-PID-..." whose PID is gone), as after a killed test
// binary. Namespaces of live processes, and any other name, are kept.
func Sweep(ctx context.Context) error {
	names, err := Namespaces(Prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		pid, ok := namePID(n)
		if !ok || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			continue
		}
		errs = append(errs, (&Host{Name: n}).remove(ctx))
	}
	return errors.Join(errs...)
}

// namePID returns the PID in a name of the form "rk-PID-...".
func namePID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, Prefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
