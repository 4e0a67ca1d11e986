package traceroute

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/icmp/trace"
)

func TestTracerouteJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	j := &traceJSON{w: bufio.NewWriter(&buf), dst: netip.MustParseAddr("10.0.9.2")}
	r := netip.MustParseAddr("10.0.3.2")
	mpls := []xicmp.Extension{&xicmp.MPLSLabelStack{Class: 1, Type: 1, Labels: []xicmp.MPLSLabel{{Label: 100, S: true, TTL: 1}}}}
	j.hop(trace.Hop{TTL: 3, Probes: []trace.ProbeResult{
		{Answered: true, From: r, RTT: 1234567 * time.Nanosecond, Type: 11, QuotedTTL: 1, Size: 60, Extensions: mpls},
		{Type: -1, Code: -1, QuotedTTL: -1, QuotedTOS: -1, Size: 60},
		{Answered: true, From: r, RTT: time.Millisecond, Type: 3, Code: 1, QuotedTTL: 2, Size: 60},
		{Answered: true, Local: true, RTT: time.Microsecond, Type: -1, Code: -1, QuotedTTL: -1, QuotedTOS: -1, NextMTU: 1500, Size: 3000},
	}})
	j.summary(trace.Summary{Source: netip.MustParseAddr("10.0.1.1"), Hops: 3, Sent: 9, Answered: 2, Elapsed: 5 * time.Millisecond})
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	want := `{"type":"hop","ttl":3,"probes":[` +
		`{"from":"10.0.3.2","rtt_ms":1.234,"icmp_type":11,"icmp_code":0,"quoted_ttl":1,"quoted_tos":0,"size":60,"mpls":[{"label":100,"tc":0,"s":true,"ttl":1}]},` +
		`{"size":60},` +
		`{"from":"10.0.3.2","rtt_ms":1,"icmp_type":3,"icmp_code":1,"quoted_ttl":2,"quoted_tos":0,"annotation":"!H","size":60},` +
		`{"rtt_ms":0.001,"annotation":"!F-1500","size":3000,"local":true}]}`
	if string(lines[0]) != want {
		t.Errorf("hop:\n got %s\nwant %s", lines[0], want)
	}
	var s map[string]any
	if err := json.Unmarshal(lines[1], &s); err != nil || s["type"] != "summary" || s["reached"] != false || s["hops"] != 3.0 || s["destination"] != "10.0.9.2" {
		t.Errorf("summary %s: %v", lines[1], err)
	}
}
