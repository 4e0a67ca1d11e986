package lab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

func labPrint(sio *cli.Stdio, st *labState, o labOpts) {
	what := fmt.Sprintf("client, %d routers, server", o.routers)
	if o.ecmp {
		what = "ECMP diamond: client, entry, up, down, exit, server"
	}
	fmt.Fprintf(sio.Out, "lab %q is up: %s\n", st.Name, what)
	if o.delay > 0 {
		fmt.Fprintf(sio.Out, "delay: %v per router each way (holder pid %d)\n", o.delay, st.Holder)
	} else if st.Holder > 0 {
		fmt.Fprintf(sio.Out, "MPLS answers kept by holder pid %d\n", st.Holder)
	}
	if o.loss > 0 {
		fmt.Fprintf(sio.Out, "loss: %g%% toward the server at the first router\n", o.loss)
	}
	if o.mtuHop >= 0 {
		fmt.Fprintf(sio.Out, "mtu: %d on the link after hop %d\n", o.mtuSize, o.mtuHop)
	}
	for _, n := range st.Nodes {
		fmt.Fprintf(sio.Out, "  %-7s %-12s %s%s\n", n.Role, n.Addr, n.NS, labMPLSNote(n))
	}
	server := st.Nodes[len(st.Nodes)-1].Addr
	flag := ""
	if st.Name != "lab" {
		flag = " --name " + st.Name
	}
	fmt.Fprintf(sio.Out, "run a command in a node: rawkit lab exec%s client -- rawkit traceroute -n %s\n", flag, server)
	fmt.Fprintf(sio.Out, "take it down:            rawkit lab down%s\n", flag)
}

func labStatus(sio *cli.Stdio, dir store, name string) error {
	st, err := dir.read(name)
	if err != nil {
		return err
	}
	for _, n := range st.Nodes {
		fmt.Fprintf(sio.Out, "%-7s %-12s %s%s\n", n.Role, n.Addr, n.NS, labMPLSNote(n))
	}
	if st.needsHolder() && !labHolderAlive(st.Holder) {
		// Its NFQUEUE rules stay, and the kernel drops what they queue
		// once nobody listens (iptables-extensions(8), NFQUEUE without
		// --queue-bypass): the lab's traffic is blackholed.
		return fmt.Errorf("lab %q is broken: its delay and MPLS process (pid %d) is not running, so its traffic is dropped; run 'rawkit lab down' and up again", st.Name, st.Holder)
	}
	return nil
}

// labMPLSNote is what a node line says of the label stack the node puts
// in its time exceeded messages.
func labMPLSNote(n labNode) string {
	if len(n.MPLS) == 0 {
		return ""
	}
	ls := make([]string, len(n.MPLS))
	for i, l := range n.MPLS {
		ls[i] = strconv.FormatUint(uint64(l), 10)
	}
	return "  (MPLS " + strings.Join(ls, "/") + ")"
}
