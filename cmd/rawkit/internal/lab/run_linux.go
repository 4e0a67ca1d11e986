package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
)

// labState is what `lab up` records for exec, down and the holder.
type labState struct {
	Name   string        `json:"name"`
	Prefix string        `json:"prefix"`
	Nodes  []labNode     `json:"nodes"`
	Delay  time.Duration `json:"delay"`
	Holder int           `json:"holder_pid,omitempty"`
}

type labNode struct {
	Role   string     `json:"role"` // client, r1, ..., server
	NS     string     `json:"ns"`
	Addr   netip.Addr `json:"addr"`
	Ifaces []string   `json:"ifaces"`         // what the delay applies to: a router's interfaces
	MPLS   []uint32   `json:"mpls,omitempty"` // the label stack its time exceeded messages carry
}

func labRun(ctx context.Context, sio *cli.Stdio, dir store, sub string, o labOpts, rest []string) int {
	if os.Geteuid() != 0 && sub != "status" {
		// Namespaces, veth pairs and iptables need CAP_SYS_ADMIN and
		// CAP_NET_ADMIN; ip(8) would say so at length.
		return cli.Failf(sio, "lab", "lab %s needs root: run it with sudo (or scripts/lab.sh)", sub)
	}
	var err error
	switch sub {
	case "up":
		err = labUp(ctx, sio, dir, o)
	case "down":
		err = labDown(ctx, sio, dir, o.name)
	case "status":
		err = labStatus(sio, dir, o.name)
	case "exec":
		return labExec(ctx, sio, dir, o.name, rest)
	case labHoldCmd:
		err = labHold(sio, dir, o.name)
	}
	if err != nil {
		return cli.Failf(sio, "lab", "%v", err)
	}
	return cli.ExitOK
}

func (d store) read(name string) (*labState, error) {
	b, err := os.ReadFile(d.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no lab %q is up (run 'rawkit lab up')", name)
	}
	if err != nil {
		return nil, err
	}
	var s labState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("lab state %s: %w", d.path(name), err)
	}
	return &s, nil
}

func (d store) write(s *labState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return err
	}
	return os.WriteFile(d.path(s.Name), append(b, '\n'), 0o644)
}

func labUp(ctx context.Context, sio *cli.Stdio, dir store, o labOpts) (err error) {
	unlock, err := dir.lock(ctx, o.name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(dir.path(o.name)); err == nil {
		return fmt.Errorf("lab %q is already up; run 'rawkit lab down --name %s' first", o.name, o.name)
	}
	prefix := labPrefix(o.name)
	// Namespaces of this lab's names that no state file records are not
	// the lab's to delete: someone else's, or a crashed up's.
	if left, _ := netlab.Namespaces(prefix); len(left) > 0 {
		return fmt.Errorf("namespaces %s exist but no lab %q recorded them; delete them with 'ip netns del' first", strings.Join(left, ", "), o.name)
	}
	st := &labState{Name: o.name, Prefix: prefix, Delay: o.delay}
	defer func() {
		if err != nil {
			// A cancelled up (^C) must still clean up: ip(8) run under
			// the cancelled context would be killed before it deleted
			// anything.
			clean, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			err = errors.Join(err, labTeardown(clean, dir, st))
		}
	}()
	if o.ecmp {
		err = labBuildDiamond(ctx, st, o)
	} else {
		err = labBuildChain(ctx, st, o)
	}
	if err != nil {
		return err
	}
	labSetMPLS(st, o)
	if err := dir.write(st); err != nil {
		return err
	}
	if st.needsHolder() {
		pid, err := labStartHolder(ctx, dir, o.name)
		if err != nil {
			return err
		}
		st.Holder = pid
		if err := dir.write(st); err != nil {
			return err
		}
	}
	labPrint(sio, st, o)
	return nil
}

func labBuildChain(ctx context.Context, st *labState, o labOpts) error {
	c, err := netlab.BuildChain(ctx, o.routers, &netlab.ChainConfig{Prefix: st.Prefix})
	if err != nil {
		return err
	}
	st.Nodes = append(st.Nodes, labNode{Role: "client", NS: c.Client.Name, Addr: c.Client.Addr()})
	for i, r := range c.Routers {
		st.Nodes = append(st.Nodes, labNode{Role: "r" + strconv.Itoa(i+1), NS: r.Name, Addr: r.Addr(), Ifaces: []string{"eth0", "eth1"}})
	}
	st.Nodes = append(st.Nodes, labNode{Role: "server", NS: c.Server.Name, Addr: c.Server.Addr()})
	if o.mtuHop >= 0 {
		if err := c.Links[o.mtuHop].SetMTU(ctx, o.mtuSize); err != nil {
			return err
		}
	}
	if o.loss > 0 {
		if _, err := c.Routers[0].AddLoss(ctx, "eth1", o.loss); err != nil {
			return err
		}
	}
	return nil
}

func labBuildDiamond(ctx context.Context, st *labState, o labOpts) error {
	d, err := netlab.BuildDiamond(ctx, st.Prefix)
	if err != nil {
		return err
	}
	for _, n := range []struct {
		role   string
		h      *netlab.Host
		ifaces []string
	}{
		{"client", d.Client, nil}, {"entry", d.Entry, []string{"eth0", "eth1", "eth2"}},
		{"up", d.Branches[0], []string{"eth0", "eth1"}}, {"down", d.Branches[1], []string{"eth0", "eth1"}},
		{"exit", d.Exit, []string{"eth0", "eth1", "eth2"}}, {"server", d.Server, nil},
	} {
		st.Nodes = append(st.Nodes, labNode{Role: n.role, NS: n.h.Name, Addr: n.h.Addr(), Ifaces: n.ifaces})
	}
	if o.mtuHop >= 0 {
		// Both ends of every link at that depth (netlab.Diamond's map).
		ends := [][]struct {
			h   *netlab.Host
			if_ string
		}{
			{{d.Client, "eth0"}, {d.Entry, "eth0"}},
			{{d.Entry, "eth1"}, {d.Branches[0], "eth0"}, {d.Entry, "eth2"}, {d.Branches[1], "eth0"}},
			{{d.Branches[0], "eth1"}, {d.Exit, "eth0"}, {d.Branches[1], "eth1"}, {d.Exit, "eth1"}},
			{{d.Exit, "eth2"}, {d.Server, "eth0"}},
		}[o.mtuHop]
		for _, e := range ends {
			if _, err := e.h.Run(ctx, "ip", "link", "set", e.if_, "mtu", strconv.Itoa(o.mtuSize)); err != nil {
				return err
			}
		}
	}
	if o.loss > 0 {
		if _, err := d.Entry.AddLoss(ctx, "eth1", o.loss); err != nil {
			return err
		}
		if _, err := d.Entry.AddLoss(ctx, "eth2", o.loss); err != nil {
			return err
		}
	}
	return nil
}

// labExec runs CMD in a node's namespace with the terminal's streams and
// returns its exit status.
func labExec(ctx context.Context, sio *cli.Stdio, dir store, name string, rest []string) int {
	if len(rest) < 3 || rest[1] != "--" {
		return cli.Failf(sio, "lab", "usage: rawkit lab exec NODE -- COMMAND [ARGS...]")
	}
	st, err := dir.read(name)
	if err != nil {
		return cli.Failf(sio, "lab", "%v", err)
	}
	node := rest[0]
	for _, n := range st.Nodes {
		if n.Role != node && n.NS != node {
			continue
		}
		cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.NS}, rest[2:]...)...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = sio.In, sio.Out, sio.Err
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode()
		case err != nil:
			return cli.Failf(sio, "lab", "%v", err)
		}
		return cli.ExitOK
	}
	roles := make([]string, len(st.Nodes))
	for i, n := range st.Nodes {
		roles[i] = n.Role
	}
	return cli.Failf(sio, "lab", "unknown node %q: want one of %s", node, strings.Join(roles, ", "))
}

func labDown(ctx context.Context, sio *cli.Stdio, dir store, name string) error {
	unlock, err := dir.lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := dir.read(name)
	if err != nil {
		// Nothing recorded: namespaces of the lab's names are not known
		// to be its own, so they are left alone.
		return err
	}
	if err := labTeardown(ctx, dir, st); err != nil {
		return err
	}
	fmt.Fprintf(sio.Out, "lab %q is down\n", name)
	return nil
}

// labTeardown stops the holder, deletes the namespaces and the state.
func labTeardown(ctx context.Context, dir store, st *labState) error {
	var errs []error
	if st.Holder > 0 {
		errs = append(errs, labStopHolder(st.Holder))
	}
	// Only the namespaces the lab recorded, of those that still exist.
	exist, err := netlab.Namespaces(st.Prefix)
	errs = append(errs, err)
	for i := len(st.Nodes) - 1; i >= 0; i-- {
		if ns := st.Nodes[i].NS; slices.Contains(exist, ns) {
			if out, err := exec.CommandContext(ctx, "ip", "netns", "del", ns).CombinedOutput(); err != nil {
				errs = append(errs, fmt.Errorf("ip netns del %s: %v: %s", ns, err, strings.TrimSpace(string(out))))
			}
		}
	}
	for _, f := range []string{dir.path(st.Name), dir.logPath(st.Name)} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
