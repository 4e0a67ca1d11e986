package raw

import (
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
)

func TestConfigValidate(t *testing.T) {
	icmpFilter := &ipv4.ICMPFilter{}
	tests := []struct {
		name     string
		protocol int
		ping     bool
		cfg      *Config
		want     string // substring of the error; "" means valid
	}{
		{"nil config", 1, false, nil, ""},
		{"all set", 1, false, &Config{Interface: "lo", Source: netip.MustParseAddr("127.0.0.1"), TTL: 255, TOS: 0xb8,
			DontFragment: DFWant, ReceiveBuffer: 1 << 20, Timestamps: true, Filter: make([]bpf.RawInstruction, 3),
			ICMPFilter: icmpFilter, Mark: 7}, ""},
		{"mapped source", 6, false, &Config{Source: netip.MustParseAddr("::ffff:10.0.0.1")}, ""},
		{"protocol raw", 255, false, &Config{HeaderIncluded: true}, ""},
		{"ping all set", 1, true, &Config{TTL: 1, TOS: 4, DontFragment: DFDo, Timestamps: true}, ""},
		{"protocol 0", 0, false, nil, "protocol 0 out of range"},
		{"protocol 256", 256, false, &Config{}, "protocol 256 out of range"},
		{"protocol negative", -1, false, nil, "protocol -1 out of range"},
		{"ping header", 1, true, &Config{HeaderIncluded: true}, "ping sockets cannot include"},
		{"long interface", 1, false, &Config{Interface: "abcdefghijklmnop"}, `interface name "abcdefghijklmnop"`},
		{"ipv6 source", 1, false, &Config{Source: netip.MustParseAddr("::1")}, "source address ::1 is not IPv4"},
		{"ttl 256", 1, false, &Config{TTL: 256}, "TTL 256 out of range"},
		{"ttl negative", 1, false, &Config{TTL: -3}, "TTL -3 out of range"},
		{"tos 300", 17, false, &Config{TOS: 300}, "TOS 300 out of range"},
		{"df mode", 1, false, &Config{DontFragment: 9}, "don't-fragment mode 9"},
		{"rcvbuf", 1, false, &Config{ReceiveBuffer: -1}, "receive buffer size -1"},
		{"bpf too long", 1, false, &Config{Filter: make([]bpf.RawInstruction, 4097)}, "4097 instructions"},
		{"icmp filter udp", 17, false, &Config{ICMPFilter: icmpFilter}, "not ip4:17"},
		{"icmp filter ping", 1, true, &Config{ICMPFilter: icmpFilter}, "not ping4"},
		{"hdrincl ttl", 1, false, &Config{HeaderIncluded: true, TTL: 9}, "TTL 9 has no effect"},
		{"hdrincl tos", 1, false, &Config{HeaderIncluded: true, TOS: 9}, "TOS 9 has no effect"},
		{"proto 255 df", 255, false, &Config{DontFragment: DFDo}, "mode do has no effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate(tt.protocol, tt.ping)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("validate = %v, want error containing %q", err, tt.want)
			}
			if !errors.Is(err, os.ErrInvalid) {
				t.Errorf("errors.Is(%v, os.ErrInvalid) = false", err)
			}
			if !strings.HasPrefix(err.Error(), "raw: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line starting with \"raw: \"", err)
			}
		})
	}
}

// Bad input is refused before a socket is made, so these need no
// privileges and prove nothing was opened.
func TestListenBadInput(t *testing.T) {
	tests := []struct {
		name string
		open func() (*Conn, error)
		want string
	}{
		{"protocol", func() (*Conn, error) { return ListenIPv4(0, nil) }, "protocol 0"},
		{"protocol high", func() (*Conn, error) { return ListenIPv4(300, nil) }, "protocol 300"},
		{"interface", func() (*Conn, error) { return ListenIPv4(1, &Config{Interface: "nosuch0"}) }, `unknown interface "nosuch0"`},
		{"ping interface", func() (*Conn, error) { return ListenPing(&Config{Interface: "nosuch1"}) }, `unknown interface "nosuch1"`},
		{"ping ttl", func() (*Conn, error) { return ListenPing(&Config{TTL: 1000}) }, "TTL 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.open()
			if err == nil {
				c.Close()
				t.Fatal("opened a socket from bad input")
			}
			if !strings.Contains(err.Error(), tt.want) || !errors.Is(err, os.ErrInvalid) {
				t.Fatalf("err = %v, want an os.ErrInvalid naming %q", err, tt.want)
			}
		})
	}
}

func TestDFModeString(t *testing.T) {
	for m, want := range map[DFMode]string{DFDefault: "default", DFDo: "do", DFDont: "dont", DFWant: "want", 42: "DFMode(42)"} {
		if got := m.String(); got != want {
			t.Errorf("DFMode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}
