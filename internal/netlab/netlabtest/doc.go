// Package netlabtest is the testing face of package netlab: helpers that
// take a testing.TB, build hosts, links and impairments through netlab's
// error-returning API, fail the test (t.Fatal) when that returns an
// error, and remove what they made in t.Cleanup, also when the test
// fails. netlab itself stays free of package testing, so that the rawkit
// binary, whose `rawkit lab` uses it, does not link it.
//
// Every privileged test starts with Privileged(t), which skips the test
// without the needed capabilities, or fails it when RAWKIT_PRIVILEGED=1
// (as scripts/test-privileged.sh runs the suite). It then builds its
// hosts: NewPair, NewChain and NewDiamond (ECMP) for the usual
// topologies, NewHost and Connect for others. Impairments are iptables
// rules on a host: Loss and LossIn (statistic match), Duplicate (TEE
// target), Delay (netlab's NFQUEUE delay, as the kernel may lack netem),
// MPLSExtensions (a router answering as an MPLS router would), or any
// Rule. Sniff and SniffWith start the tests' capture oracle, whose Stop
// fails the test if the capture missed a packet. RunAsNobody runs a test
// body again as user nobody, for tests of what an unprivileged user gets;
// AsNobody tells the two runs apart.
//
// The functions mirror netlab's names, with the test first and the host
// second where netlab has a method: netlab.Host's AddLoss becomes
// Loss(t, h, iface, percent).
package netlabtest
