//go:build linux

package netlab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// IPTablesEnv names a variable that overrides the iptables command
// (iptables-legacy or iptables-nft); scripts/test-privileged.sh picks the
// one that works on the running kernel.
const IPTablesEnv = "RAWKIT_IPTABLES"

func iptables() string {
	if c := os.Getenv(IPTablesEnv); c != "" {
		return c
	}
	return "iptables"
}

// Rule is an iptables (or ip6tables) rule appended to a chain of a
// host's namespace. It goes away with the namespace; Remove deletes it
// earlier.
type Rule struct {
	h            *Host
	table, chain string
	spec         []string
	v6           bool // an ip6tables rule
}

// AddRule appends the rule spec (iptables(8) syntax, split into words)
// to chain in table inside the namespace.
func (h *Host) AddRule(ctx context.Context, table, chain string, spec ...string) (*Rule, error) {
	r := &Rule{h: h, table: table, chain: chain, spec: spec}
	return r, r.run(ctx, "-A")
}

// AddRule6 is AddRule for IPv6: an ip6tables rule, of the same flavour
// as the iptables rules (see ip6tables).
func (h *Host) AddRule6(ctx context.Context, table, chain string, spec ...string) (*Rule, error) {
	r := &Rule{h: h, table: table, chain: chain, spec: spec, v6: true}
	return r, r.run(ctx, "-A")
}

// Remove deletes the rule.
func (r *Rule) Remove(ctx context.Context) error { return r.run(ctx, "-D") }

// String gives the rule as iptables-save shows it.
func (r *Rule) String() string {
	return fmt.Sprintf("-t %s -A %s %s", r.table, r.chain, strings.Join(r.spec, " "))
}

func (r *Rule) run(ctx context.Context, op string) error {
	// -w: wait for the xtables lock, shared by all namespaces.
	args := append([]string{"-w", "10", "-t", r.table, op, r.chain}, r.spec...)
	cmd := iptables()
	if r.v6 {
		cmd = ip6tables(cmd)
	}
	_, err := r.h.Run(ctx, cmd, args...)
	return err
}

// AddLoss drops percent (0 to 100) of the IPv4 packets leaving iface,
// sent from the host or forwarded by it, at random (iptables statistic
// match, iptables-extensions(8)). The drop happens before the packet
// reaches the interface, so a capture on iface sees only the packets that
// survive.
//
// On a router it is a lossy link. On the sending host itself netfilter
// reports each drop to the sender: send(2) fails with EPERM. To lose
// packets without the sender knowing, use a router, or AddLossIn on the
// receiving host.
func (h *Host) AddLoss(ctx context.Context, iface string, percent float64) (*Rule, error) {
	spec, err := lossSpec("-o", iface, percent)
	if err != nil {
		return nil, err
	}
	return h.AddRule(ctx, "mangle", "POSTROUTING", spec...)
}

// AddLossIn drops percent (0 to 100) of the IPv4 packets arriving on
// iface, at random, before routing (raw table PREROUTING). The sender is
// not told. A capture on iface still sees the packets, as the capture
// taps the interface before netfilter: capture on the sending side
// instead.
func (h *Host) AddLossIn(ctx context.Context, iface string, percent float64) (*Rule, error) {
	spec, err := lossSpec("-i", iface, percent)
	if err != nil {
		return nil, err
	}
	return h.AddRule(ctx, "raw", "PREROUTING", spec...)
}

func lossSpec(dirFlag, iface string, percent float64) ([]string, error) {
	if !(percent > 0 && percent <= 100) {
		return nil, fmt.Errorf("netlab: loss of %v%%: want more than 0, at most 100", percent)
	}
	return []string{dirFlag, iface,
		"-m", "statistic", "--mode", "random", "--probability", probability(percent),
		"-j", "DROP"}, nil
}

func probability(percent float64) string {
	return strconv.FormatFloat(percent/100, 'f', 6, 64)
}

// AddDuplicate sends a copy of every IPv4 packet leaving iface to gateway
// as next hop (iptables TEE target, iptables-extensions(8)): with gateway
// the next hop the original goes to, the receiver gets every packet
// twice. The copy is not copied again. Rules apply in the order they were
// added: a loss added earlier sees the original only, one added later
// sees both.
func (h *Host) AddDuplicate(ctx context.Context, iface string, gateway netip.Addr) (*Rule, error) {
	if !gateway.Is4() {
		return nil, fmt.Errorf("netlab: duplicate to %v: want an IPv4 next hop", gateway)
	}
	return h.AddRule(ctx, "mangle", "POSTROUTING", "-o", iface, "-j", "TEE", "--gateway", gateway.String())
}
