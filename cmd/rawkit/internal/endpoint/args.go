package endpoint

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// parseInterleaved parses flags that may come before, between or after
// the positional arguments (rawkit serve tcp :7 --mode echo) and returns
// the positionals. status is as cli.ParseFlags returns it. A bad flag gets
// the one-line error alone; -h prints the usage to standard output.
func parseInterleaved(sio *cli.Stdio, c *cli.Command, fs *flag.FlagSet, args []string) (pos []string, status int) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.PrintUsage(sio.Out)
			return nil, cli.ExitOK
		}
		if err != nil {
			return nil, cli.Failf(sio, c.Name, "%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// checkAddress validates ADDRESS for network before any socket is made,
// so that a typo gets a clear message naming it.
func checkAddress(r *net.Resolver, network, address string, listening bool) error {
	switch network {
	case "unix", "unixgram":
		return checkUnixPath(address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("bad address %q: want HOST:PORT, such as 127.0.0.1:7 or [::1]:7", address)
	}
	if p, err := strconv.Atoi(port); err == nil {
		if p < 0 || p > 65535 {
			return fmt.Errorf("bad port %q in %q: want 0 to 65535", port, address)
		}
		if p == 0 && !listening {
			return fmt.Errorf("bad port 0 in %q: cannot connect to port 0", address)
		}
	} else if _, err := net.LookupPort(network, port); err != nil {
		return fmt.Errorf("bad port %q in %q: not a number nor a known service", port, address)
	}
	if host == "" && !listening {
		return fmt.Errorf("bad address %q: no host", address)
	}
	if host != "" && net.ParseIP(host) == nil {
		if _, err := r.LookupHost(context.Background(), host); err != nil {
			return fmt.Errorf("bad host %q in %q: not an IP address nor a name this machine resolves", host, address)
		}
	}
	return nil
}

// unixPathMax is the size of sun_path less its terminating NUL (unix(7)).
const unixPathMax = 107

func checkUnixPath(path string) error {
	switch {
	case path == "":
		return errors.New("bad address \"\": want a socket path")
	case len(path) > unixPathMax:
		return fmt.Errorf("socket path %q is %d bytes long; unix sockets allow %d", path, len(path), unixPathMax)
	case path[0] == '@':
		return nil // abstract: no file
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %q of socket path %q does not exist", dir, path)
	case err != nil:
		return fmt.Errorf("socket path %q: %v", path, err)
	case !fi.IsDir():
		return fmt.Errorf("%q in socket path %q is not a directory", dir, path)
	}
	return nil
}

// describeListenError turns a failure to listen into one line.
func describeListenError(network, address string, err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		if network == "unix" || network == "unixgram" {
			return fmt.Sprintf("socket path %q is in use: %v", address, innermost(err))
		}
		return fmt.Sprintf("address %s is in use: %s", address, addrHolder(network, address))
	case errors.Is(err, syscall.EACCES):
		return fmt.Sprintf("%s %s: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)", network, address)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Sprintf("address %s is not on this machine", address)
	case errors.Is(err, syscall.ENOENT):
		return fmt.Sprintf("socket path %q: directory does not exist", address)
	}
	return err.Error()
}

// innermost returns the deepest wrapped error's text.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil && !errors.As(oe.Err, new(*net.OpError)) {
			return oe.Err
		}
		err = u
	}
}
