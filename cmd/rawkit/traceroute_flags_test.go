package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestTracerouteBadInput: every bad value gets one line naming it and
// exit status 2, before any socket is opened.
func TestTracerouteBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "5", "-m", "3", "127.0.0.1"}, "first ttl 5 is above max ttl 3"},
		{[]string{"-f", "0", "127.0.0.1"}, "first ttl 0 out of range 1-255"},
		{[]string{"-m", "256", "127.0.0.1"}, "max ttl 256 out of range 1-255"},
		{[]string{"-m", "0", "127.0.0.1"}, "max ttl 0 out of range 1-255"},
		{[]string{"-q", "0", "127.0.0.1"}, "number of probes per hop 0 out of range 1-10"},
		{[]string{"-q", "11", "127.0.0.1"}, "number of probes per hop 11 out of range 1-10"},
		{[]string{"-p", "0", "127.0.0.1"}, "port 0 out of range 1-65535"},
		{[]string{"-p", "65536", "127.0.0.1"}, "port 65536 out of range 1-65535"},
		{[]string{"-p", "http", "127.0.0.1"}, `bad port "http"`},
		{[]string{"-M", "sctp", "127.0.0.1"}, `unknown method "sctp"`},
		{[]string{"127.0.0.1", "20"}, "packet length 20 out of range 30-65000"},
		{[]string{"127.0.0.1", "65001"}, "packet length 65001 out of range 30-65000"},
		{[]string{"-T", "127.0.0.1", "40"}, "packet length 40 out of range 60-65000"},
		{[]string{"-I", "-T", "127.0.0.1"}, "conflicting methods icmp and tcp"},
		{[]string{"-w", "-1", "127.0.0.1"}, `bad wait "-1"`},
		{[]string{"-t", "300", "127.0.0.1"}, "tos 300 out of range 0-255"},
		{[]string{"-s", "::1", "127.0.0.1"}, `bad source address "::1"`},
		{[]string{"-x", "127.0.0.1"}, "unknown option -x"},
		{[]string{"--bogus", "127.0.0.1"}, `unknown option "--bogus"`},
		{[]string{}, "no host given"},
		{[]string{"127.0.0.1", "60", "x"}, `extra operand "x"`},
		{[]string{"fd00::zz"}, `bad IPv6 address "fd00::zz"`},
		{[]string{"fe80::1%nosuch0"}, `unknown zone "nosuch0"`},
		{[]string{"-s", "fe80::1%nosuch0", "::1"}, `unknown zone "nosuch0"`},
		{[]string{"-4", "::1"}, `bad host "::1": an IPv6 address, and -4 asks for IPv4`},
		{[]string{"-6", "127.0.0.1"}, `bad host "127.0.0.1"`},
		{[]string{"-4", "-6", "::1"}, "-4 and -6 are mutually exclusive"},
		{[]string{"-6", "-s", "127.0.0.1", "::1"}, `bad source address "127.0.0.1"`},
		{[]string{"-s", "127.0.0.1", "::1"}, `bad source address "127.0.0.1"`},
		{[]string{"::1", "40"}, "packet length 40 out of range 50-65000"},
		{[]string{"-T", "::1", "60"}, "packet length 60 out of range 80-65000"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"rawkit", "traceroute"}, c.args...), &stdio{in: strings.NewReader(""), out: &out, err: &errb})
		e := errb.String()
		if code != 2 || strings.Count(e, "\n") != 1 || !strings.HasPrefix(e, "rawkit traceroute: ") || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, e, c.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed %q", c.args, out.String())
		}
	}
}

func TestTracerouteArgs(t *testing.T) {
	o, err := parseTraceArgs([]string{"-nI", "-q1", "-w", "2,3,4", "-N", "4", "10.0.0.1", "-m", "9", "100", "--classic"})
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if !o.numeric || c.Queries != 1 || c.Wait.Seconds() != 2 || c.HereFactor != 3 || c.NearFactor != 4 ||
		c.Simultaneous != 4 || c.MaxTTL != 9 || c.Length != 100 || !c.Classic || o.host != "10.0.0.1" || c.Method.String() != "icmp" {
		t.Errorf("parsed %+v", o)
	}
	o, _ = parseTraceArgs([]string{"-w", "1", "h"})
	if o.cfg.HereFactor >= 0 || o.cfg.NearFactor >= 0 {
		t.Errorf("-w 1 kept the HERE/NEAR rules: %+v", o.cfg)
	}
}
