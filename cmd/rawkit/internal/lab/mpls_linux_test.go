package lab

import (
	"slices"
	"testing"
)

func TestParseLabMPLS(t *testing.T) {
	t.Parallel()
	hop, stack, err := parseLabMPLS("3:16001/24/1048575")
	if err != nil || hop != 3 || !slices.Equal(stack, []uint32{16001, 24, 1048575}) {
		t.Errorf("parseLabMPLS: %d, %v, %v", hop, stack, err)
	}
}

// --mpls hops name a chain's routers by position, and a diamond's by depth.
func TestLabSetMPLS(t *testing.T) {
	t.Parallel()
	rt := []string{"eth0", "eth1"}
	chain := &labState{Nodes: []labNode{{Role: "client"}, {Role: "r1", Ifaces: rt}, {Role: "r2", Ifaces: rt}, {Role: "server"}}}
	labSetMPLS(chain, labOpts{routers: 2, mpls: map[int][]uint32{2: {100}}})
	if !chain.needsHolder() || chain.Nodes[1].MPLS != nil || !slices.Equal(chain.Nodes[2].MPLS, []uint32{100}) || chain.Nodes[3].MPLS != nil {
		t.Errorf("chain: %+v", chain.Nodes)
	}
	dia := &labState{Nodes: []labNode{{Role: "client"}, {Role: "entry", Ifaces: rt}, {Role: "up", Ifaces: rt},
		{Role: "down", Ifaces: rt}, {Role: "exit", Ifaces: rt}, {Role: "server"}}}
	labSetMPLS(dia, labOpts{ecmp: true, mpls: map[int][]uint32{2: {7}}})
	for _, n := range dia.Nodes {
		want := n.Role == "up" || n.Role == "down"
		if got := slices.Equal(n.MPLS, []uint32{7}); got != want {
			t.Errorf("diamond %s: MPLS %v", n.Role, n.MPLS)
		}
	}
	plain := &labState{Nodes: chain.Nodes[:1]}
	if plain.needsHolder() {
		t.Error("a lab with no delay and no MPLS needs no holder")
	}
}
