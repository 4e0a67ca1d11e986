// Package netlab builds test hosts in network namespaces for privileged
// tests and for `rawkit lab`: pairs of hosts joined by veth, and chains of
// client, routers and server with forwarding and routes set.
//
// Everything a test creates is removed in t.Cleanup, also when the test
// fails, and every name is unique so that tests can run in parallel.
// Traffic stays inside the namespaces the test made.
package netlab
