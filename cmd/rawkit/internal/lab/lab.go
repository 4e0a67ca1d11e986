// Package lab is the command `rawkit lab`: namespace labs of routers with
// delay, loss, ECMP, MTU and MPLS answers, built with internal/netlab for
// hands-on experiments, and the background process that keeps a lab's
// delays and MPLS answers going. A lab that is up is a state file.
package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// defaultDir holds one state file per lab that is up.
const defaultDir = "/run/rawkit-lab"

// Env holds what the command depends on that a test replaces; a nil Env
// or a zero field means the real one.
type Env struct {
	// Dir is the directory of the labs' state files (default
	// /run/rawkit-lab). The background process of a lab is told it.
	Dir string
}

// New returns the lab command.
func New(env *Env) *cli.Command {
	dir := store(defaultDir)
	if env != nil && env.Dir != "" {
		dir = store(env.Dir)
	}
	return &cli.Command{
		Name:    "lab",
		Summary: "build a namespace lab of routers with delay, loss, ECMP and MTU for experiments",
		Doc:     &labDoc,
		Run: func(ctx context.Context, sio *cli.Stdio, args []string) int {
			return run(ctx, sio, dir, args)
		},
	}
}

// store is the directory of the state files: NAME.json for each lab that
// is up, and NAME.log, its background process's standard error.
type store string

func (d store) path(name string) string    { return filepath.Join(string(d), name+".json") }
func (d store) logPath(name string) string { return filepath.Join(string(d), name+".log") }

// labOpts are the options of `rawkit lab up`.
type labOpts struct {
	name    string
	routers int
	delay   time.Duration
	loss    float64
	ecmp    bool
	mtuHop  int
	mtuSize int
	mpls    map[int][]uint32 // hop: label stack, outermost first
	dir     store            // lab hold only: where lab up keeps the state, when not the default
}

// labNameOK reports whether name is 1-16 of a-z, 0-9 and _, not
// starting with _ (it names namespaces and files).
func labNameOK(name string) bool {
	if name == "" || len(name) > 16 || name[0] == '_' {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// parseLabArgs reads the options of every lab subcommand; rest is what
// follows them (NODE -- CMD for exec).
func parseLabArgs(sub string, args []string) (o labOpts, rest []string, err error) {
	o = labOpts{name: "lab", routers: 3, mtuHop: -1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || a == "--" {
			return o, args[i:], nil
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		if name == "ecmp" && sub == "up" {
			if hasVal {
				return o, nil, fmt.Errorf("option --ecmp takes no value, got %q", val)
			}
			o.ecmp = true
			continue
		}
		allowed := map[string]bool{"name": true}
		if sub == labHoldCmd {
			allowed["state-dir"] = true
		}
		if sub == "up" {
			for _, n := range []string{"routers", "delay", "loss", "mtu", "mpls"} {
				allowed[n] = true
			}
		}
		if !allowed[name] {
			return o, nil, fmt.Errorf("unknown option %q for lab %s", a, sub)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return o, nil, fmt.Errorf("option --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if err := o.set(name, val); err != nil {
			return o, nil, err
		}
	}
	return o, nil, nil
}

func (o *labOpts) set(name, v string) error {
	switch name {
	case "name":
		if !labNameOK(v) {
			return fmt.Errorf("bad lab name %q: want 1-16 of a-z, 0-9 and _", v)
		}
		o.name = v
	case "state-dir":
		o.dir = store(v)
	case "routers":
		n, err := cli.Int("--routers", "router count", v, 1, 32)
		if err != nil {
			return err
		}
		o.routers = n
	case "delay":
		d, err := cli.Duration("--delay", "delay", v, 0, 10*time.Second)
		if err != nil {
			return err
		}
		o.delay = d
	case "loss":
		p, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil || !(p >= 0 && p <= 100) {
			return fmt.Errorf("bad loss %q: want a percentage such as 5%%", v)
		}
		o.loss = p
	case "mtu":
		hop, size, ok := strings.Cut(v, ":")
		h, err1 := strconv.Atoi(hop)
		s, err2 := strconv.Atoi(size)
		if !ok || err1 != nil || err2 != nil || h < 0 || s < 68 || s > 65535 {
			return fmt.Errorf("bad mtu %q: want HOP:SIZE, such as 2:1280 (SIZE 68-65535)", v)
		}
		o.mtuHop, o.mtuSize = h, s
	case "mpls":
		hop, stack, err := parseLabMPLS(v)
		if err != nil {
			return err
		}
		if o.mpls == nil {
			o.mpls = map[int][]uint32{}
		}
		o.mpls[hop] = stack
	}
	return nil
}

// parseLabMPLS reads --mpls HOP:LABEL[/LABEL...].
func parseLabMPLS(v string) (hop int, stack []uint32, err error) {
	bad := fmt.Errorf("bad mpls %q: want HOP:LABEL[/LABEL...], such as 2:100 or 3:16001/24 (HOP from 1, LABEL 0-1048575)", v)
	h, labels, ok := strings.Cut(v, ":")
	hop, herr := strconv.Atoi(h)
	if !ok || herr != nil || hop < 1 || labels == "" {
		return 0, nil, bad
	}
	for l := range strings.SplitSeq(labels, "/") {
		n, err := strconv.ParseUint(l, 10, 32)
		if err != nil || n > 1<<20-1 || len(stack) == 16 {
			return 0, nil, bad
		}
		stack = append(stack, uint32(n))
	}
	return hop, stack, nil
}

func run(ctx context.Context, sio *cli.Stdio, dir store, args []string) int {
	if len(args) == 0 {
		labDoc.WriteHelp(sio.Err)
		return cli.ExitError
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "-h", "--help", "help":
		labDoc.WriteHelp(sio.Out)
		return cli.ExitOK
	case "up", "down", "exec", "status", labHoldCmd:
	default:
		return cli.Failf(sio, "lab", "unknown subcommand %q: want up, exec, down or status", sub)
	}
	o, rest, err := parseLabArgs(sub, args)
	if err != nil {
		return cli.Failf(sio, "lab", "%v", err)
	}
	if sub != "exec" && sub != labHoldCmd && len(rest) > 0 {
		return cli.Failf(sio, "lab", "unexpected argument %q", rest[0])
	}
	if o.ecmp && o.mtuHop > 3 || !o.ecmp && o.mtuHop > o.routers {
		return cli.Failf(sio, "lab", "bad mtu hop %d: the lab has links 0 to %d", o.mtuHop, labLinks(o)-1)
	}
	for hop := range o.mpls {
		if hop >= labLinks(o) {
			return cli.Failf(sio, "lab", "bad mpls hop %d: the lab has routers at hops 1 to %d", hop, labLinks(o)-1)
		}
	}
	if o.dir != "" {
		dir = o.dir
	}
	return labRun(ctx, sio, dir, sub, o, rest)
}

// labLinks is how many links a lab has, from the client's.
func labLinks(o labOpts) int {
	if o.ecmp {
		return 4
	}
	return o.routers + 1
}

// labPrefix starts the names of a lab's namespaces.
func labPrefix(name string) string { return "rklab-" + name + "-" }
