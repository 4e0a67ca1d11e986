package filter

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// TestShiftOver31Bits: a shift by more than 31 bits is a compile error,
// as in libpcap, for live capture and for files alike (files used to mask
// it to 5 bits, and the kernel refused it with a bare EINVAL).
func TestShiftOver31Bits(t *testing.T) {
	for _, expr := range []string{"ip[0] << 32 == 0", "ip[0] >> 40 == 0", "tcp[0] << 99 != 1", "len >> 32 == 0"} {
		if _, err := Compile(expr, LinkEthernet, 0); err == nil || !strings.Contains(err.Error(), "shift by more than 31 bits") {
			t.Errorf("Compile %q: %v, want the shift refused", expr, err)
		}
		if _, err := CompileDgram(expr, 0); err == nil || !strings.Contains(err.Error(), "shift by more than 31 bits") {
			t.Errorf("CompileDgram %q: %v, want the shift refused", expr, err)
		}
		if _, err := New(expr, LinkRaw); err == nil || !strings.Contains(err.Error(), "shift by more than 31 bits") {
			t.Errorf("New %q: %v, want the shift refused", expr, err)
		}
	}
	if _, err := Compile("ip[0] << 31 != 0", LinkEthernet, 0); err != nil {
		t.Errorf("a shift by 31 bits: %v", err)
	}
}

// TestNegativeOffsets: ip[-1] is the byte before the IP header, as
// tcpdump -d compiles it (ldb [13] on Ethernet); an offset before the
// start of the packet is an error, never a load the kernel reads as an
// ancillary field.
func TestNegativeOffsets(t *testing.T) {
	prog, err := Compile("ip[-1] == 0", LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range prog {
		if in == (bpf.LoadAbsolute{Off: 13, Size: 1}) {
			found = true
		}
	}
	if !found {
		t.Errorf("ip[-1] on Ethernet: no ldb [13] in\n%v", prog)
	}
	for _, tc := range []struct {
		expr string
		link LinkType
	}{
		{"ip[-1] == 0", LinkRaw},
		{"ether[-1] == 0", LinkEthernet},
		{"ether[-20] == 0", LinkEthernet},
		{"tcp[-15] == 0", LinkEthernet},
		{"icmp6[-21] == 0", LinkEthernet},
		{"ip[-4096:4] == 0", LinkLinuxSLL2},
	} {
		_, err := Compile(tc.expr, tc.link, 0)
		if err == nil || !strings.Contains(err.Error(), "before the start of the packet") {
			t.Errorf("%q on %v: %v, want an offset before the packet refused", tc.expr, tc.link, err)
		}
	}
	if _, err := CompileDgram("ip[-1] == 0", 0); err == nil {
		t.Error("ip[-1] on a cooked socket compiled")
	}
}

// TestNotSupportedKeywords: pcap-filter(7) primitives the compiler lacks
// say so, instead of being taken for host names.
func TestNotSupportedKeywords(t *testing.T) {
	for _, expr := range []string{"vlan", "vlan 100", "mpls", "mpls 5 and ip", "broadcast", "multicast", "tcp and vlan"} {
		_, err := Compile(expr, LinkEthernet, 0)
		if err == nil || !strings.Contains(err.Error(), "not supported") || strings.Contains(err.Error(), "host") {
			t.Errorf("%q: %v, want \"not supported\"", expr, err)
		}
	}
}

// TestKernelLimitLiveOnly: the kernel's 4,096-instruction limit refuses
// a long filter for live capture, but a file is filtered with it.
func TestKernelLimitLiveOnly(t *testing.T) {
	var hosts []string
	for i := 0; i < 2000; i++ {
		hosts = append(hosts, fmt.Sprintf("host 10.%d.%d.1", i/256, i%256))
	}
	expr := strings.Join(hosts, " or ")
	if _, err := Compile(expr, LinkEthernet, 0); err == nil || !strings.Contains(err.Error(), "kernel's 4096") {
		t.Fatalf("Compile: %v, want the kernel's limit", err)
	}
	flt, err := New(expr, LinkEthernet)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	frame := make([]byte, 14+20)
	frame[12], frame[14] = 0x08, 0x45
	copy(frame[14+12:], []byte{10, 7, 207, 1, 192, 0, 2, 1}) // host 1999 is 10.7.207.1
	if !flt.Match(frame, len(frame)) {
		t.Error("the last host of the filter does not match")
	}
	frame[14+13] = 208
	if flt.Match(frame, len(frame)) {
		t.Error("a host not in the filter matches")
	}
}

// hostList is "host 10.0.0.1 or host 10.0.0.2 or ... host 10.0.0.n".
func hostList(n int) string {
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("host 10.0.0.%d", i+1)
	}
	return strings.Join(hosts, " or ")
}

// TestHostListFitsKernel: a filter of 200 hosts compiles within the
// kernel's limit, in fewer instructions than libpcap 1.10's 960 (its
// tcpdump -d on the same filter, EN10MB), and selects what the
// unoptimised program selects.
func TestHostListFitsKernel(t *testing.T) {
	t.Parallel()
	expr := hostList(200)
	prog, err := Compile(expr, LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog) > 700 {
		t.Errorf("200 hosts: %d instructions, want at most 700 (libpcap: 960)", len(prog))
	}
	for _, link := range []LinkType{LinkLinuxSLL, LinkLinuxSLL2, LinkRaw} {
		if _, err := Compile(expr, link, 0); err != nil {
			t.Errorf("%v: %v", link, err)
		}
	}
	if _, err := CompileDgram(expr, 0); err != nil {
		t.Errorf("dgram: %v", err)
	}
	// The corpus has 10.0.0.1 and 10.0.0.2 as sources and destinations,
	// in IPv4 and ARP, and other addresses.
	sameVerdicts(t, expr, frames(t), headerCuts)
}
