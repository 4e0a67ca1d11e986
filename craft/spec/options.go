package spec

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// Option lists: options=[mss=1460, sackok, wscale=7]. Each item is a name,
// or name=value, or TYPE=HEX for any option by number.

var ipOptionNames = []string{"eol", "nop", "rr", "ts", "lsrr", "ssrr", "ra"}
var tcpOptionNames = []string{"eol", "nop", "mss", "wscale", "sackok", "sack", "ts"}

// optionItems returns the items of an options value: a list, or one word.
func (c *valueCtx) optionItems(n *node) ([]item, error) {
	switch n.kind {
	case nodeList:
		return n.items, nil
	case nodeWord:
		if n.text == "none" {
			return nil, nil
		}
		one := *n // a copy: n itself stays where the parser keeps it
		return []item{{val: &one}}, nil
	}
	return nil, c.errorf(n.col, "options in %s(...) are a list such as [%s]", c.layer, map[string]string{"ip": "nop, rr=9", "tcp": "mss=1460, sackok"}[c.layer])
}

// optName returns the item's name and value node (nil when bare).
func (c *valueCtx) optName(it item) (string, int, *node, error) {
	name, val := it.val, (*node)(nil)
	if it.key != nil {
		name, val = it.key, it.val
	}
	if name.kind != nodeWord {
		return "", 0, nil, c.errorf(name.col, "expected an option name in %s(options=...)", c.layer)
	}
	return strings.ToLower(name.text), name.col, val, nil
}

func (c *valueCtx) optNum(val *node, name string, def, max uint64) (uint64, error) {
	if val == nil {
		return def, nil
	}
	if val.kind != nodeWord {
		return 0, c.errorf(val.col, "option %s in %s(...) takes a number", name, c.layer)
	}
	v, err := parseSpecUint(val.text)
	if err != nil {
		return 0, c.errorf(val.col, "option %s=%s in %s(...) is not a number", name, val.text, c.layer)
	}
	if v > max {
		return 0, c.errorf(val.col, "option %s %s in %s(...) out of range 0-%d", name, val.text, c.layer, max)
	}
	return v, nil
}

// optHex reads TYPE=HEX: an option by number with its data in hex.
func (c *valueCtx) optHex(name string, col int, val *node, max uint64) (uint8, []byte, error) {
	t, err := parseSpecUint(name)
	if err != nil || t > max {
		return 0, nil, err
	}
	var data []byte
	if val != nil {
		if val.kind == nodeList {
			return 0, nil, c.errorf(val.col, "option %s in %s(...) takes hex data, not a list", name, c.layer)
		}
		s := strings.TrimPrefix(strings.NewReplacer(" ", "", ":", "").Replace(val.text), "0x")
		if data, err = hex.DecodeString(s); err != nil {
			return 0, nil, c.errorf(val.col, "option %s data %q in %s(...) is not hex digits in pairs", name, val.text, c.layer)
		}
	}
	return uint8(t), data, nil
}

func (c *valueCtx) unknownOption(name string, col int, names []string) error {
	return c.errorf(col, "unknown option '%s' in %s(options=...)%s", name, c.layer, suggestOr(name, names, "; options are "+strings.Join(names, ", ")+" or TYPE=HEX"))
}

func suggestOr(s string, names []string, or string) string {
	if m := suggest(s, names); m != "" {
		return m
	}
	return or
}

func (c *valueCtx) ipOptions(n *node) ([]layers.IPv4Option, error) {
	return buildOptions(c, n, c.ipOption, func(o *layers.IPv4Option) (uint8, int, *uint8) {
		return o.OptionType, len(o.OptionData), &o.OptionLength
	})
}

// ipOption builds one IPv4 option (RFC 791, RFC 2113 for ra).
func (c *valueCtx) ipOption(name string, col int, val *node) (layers.IPv4Option, error) {
	switch name {
	case "eol", "nop":
		return layers.IPv4Option{OptionType: map[string]uint8{"eol": 0, "nop": 1}[name]}, nil
	case "rr", "ts":
		// Record route: pointer 4, then N empty slots; timestamp:
		// pointer 5, overflow and flags 0, then N slots.
		slots, err := c.optNum(val, name, 9, 9)
		if err != nil {
			return layers.IPv4Option{}, err
		}
		if name == "rr" {
			return layers.IPv4Option{OptionType: 7, OptionData: append([]byte{4}, make([]byte, 4*slots)...)}, nil
		}
		return layers.IPv4Option{OptionType: 68, OptionData: append([]byte{5, 0}, make([]byte, 4*slots)...)}, nil
	case "lsrr", "ssrr":
		data := []byte{4}
		var addrs []*node
		switch {
		case val == nil:
		case val.kind == nodeList:
			for _, a := range val.items {
				addrs = append(addrs, a.val)
			}
		default:
			addrs = []*node{val}
		}
		for _, a := range addrs {
			ad, err := netipParse4(a.text)
			if err != nil {
				return layers.IPv4Option{}, c.errorf(a.col, "%s address %q in %s(options=...) is not an IPv4 address", name, a.text, c.layer)
			}
			data = append(data, ad[:]...)
		}
		return layers.IPv4Option{OptionType: map[string]uint8{"lsrr": 131, "ssrr": 137}[name], OptionData: data}, nil
	case "ra":
		v, err := c.optNum(val, name, 0, 65535)
		if err != nil {
			return layers.IPv4Option{}, err
		}
		return layers.IPv4Option{OptionType: 148, OptionData: binary.BigEndian.AppendUint16(nil, uint16(v))}, nil
	}
	t, data, err := c.optHex(name, col, val, 255)
	if err != nil {
		if _, ok := err.(*Error); ok {
			return layers.IPv4Option{}, err
		}
		return layers.IPv4Option{}, c.unknownOption(name, col, ipOptionNames)
	}
	return layers.IPv4Option{OptionType: t, OptionData: data}, nil
}

func (c *valueCtx) tcpOptions(n *node) ([]layers.TCPOption, error) {
	return buildOptions(c, n, c.tcpOption, func(o *layers.TCPOption) (uint8, int, *uint8) {
		return uint8(o.OptionType), len(o.OptionData), &o.OptionLength
	})
}

// buildOptions builds the option list n of an IPv4 or TCP layer, each
// item with one, and sizes every option as both protocols do: kinds 0
// (end of list) and 1 (no operation) are one byte, any other a kind and a
// length byte and at most 38 data bytes (RFC 791, RFC 9293). fields gives
// an option's kind, its data length and where its length goes.
func buildOptions[O any](c *valueCtx, n *node, one func(string, int, *node) (O, error),
	fields func(*O) (kind uint8, data int, length *uint8)) ([]O, error) {
	items, err := c.optionItems(n)
	if err != nil {
		return nil, err
	}
	opts := []O{}
	for _, it := range items {
		name, col, val, err := c.optName(it)
		if err != nil {
			return nil, err
		}
		o, err := one(name, col, val)
		if err != nil {
			return nil, err
		}
		kind, data, length := fields(&o)
		if data > 38 {
			return nil, c.errorf(col, "option %s in %s(...) has %d data bytes, more than 38", name, c.layer, data)
		}
		*length = 1
		if kind > 1 {
			*length = uint8(2 + data)
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// tcpOption builds one TCP option (RFC 9293, RFC 7323, RFC 2018).
func (c *valueCtx) tcpOption(name string, col int, val *node) (layers.TCPOption, error) {
	switch name {
	case "eol", "nop":
		return layers.TCPOption{OptionType: layers.TCPOptionKind(map[string]uint8{"eol": 0, "nop": 1}[name])}, nil
	case "mss":
		v, err := c.optNum(val, name, 1460, 65535)
		return layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionData: binary.BigEndian.AppendUint16(nil, uint16(v))}, err
	case "wscale":
		v, err := c.optNum(val, name, 0, 255)
		return layers.TCPOption{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{byte(v)}}, err
	case "sackok":
		return layers.TCPOption{OptionType: layers.TCPOptionKindSACKPermitted}, nil
	case "sack", "ts":
		data, err := c.pairs(name, col, val)
		if err != nil {
			return layers.TCPOption{}, err
		}
		if name == "sack" {
			return layers.TCPOption{OptionType: layers.TCPOptionKindSACK, OptionData: data}, nil
		}
		if len(data) != 8 {
			return layers.TCPOption{}, c.errorf(col, "option ts in %s(...) is ts=TSVAL:TSECR", c.layer)
		}
		return layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionData: data}, nil
	}
	t, data, err := c.optHex(name, col, val, 255)
	if err != nil {
		if _, ok := err.(*Error); ok {
			return layers.TCPOption{}, err
		}
		return layers.TCPOption{}, c.unknownOption(name, col, tcpOptionNames)
	}
	return layers.TCPOption{OptionType: layers.TCPOptionKind(t), OptionData: data}, nil
}

// pairs reads A:B or [A:B, C:D] as 32-bit numbers (SACK blocks, timestamps).
func (c *valueCtx) pairs(name string, col int, val *node) ([]byte, error) {
	if val == nil {
		return nil, c.errorf(col, "option %s in %s(...) needs a value", name, c.layer)
	}
	nodes := []*node{val}
	if val.kind == nodeList {
		nodes = nodes[:0]
		for _, it := range val.items {
			nodes = append(nodes, it.val)
		}
	}
	var data []byte
	for _, n := range nodes {
		a, b, ok := strings.Cut(n.text, ":")
		x, errA := parseSpecUint(a)
		y, errB := parseSpecUint(b)
		if !ok || errA != nil || errB != nil || x > 1<<32-1 || y > 1<<32-1 {
			return nil, c.errorf(n.col, "option %s value %q in %s(...) is not two 32-bit numbers A:B", name, n.text, c.layer)
		}
		data = binary.BigEndian.AppendUint32(data, uint32(x))
		data = binary.BigEndian.AppendUint32(data, uint32(y))
	}
	return data, nil
}

func netipParse4(s string) ([4]byte, error) {
	var out [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return out, strconv.ErrSyntax
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return out, err
		}
		out[i] = byte(v)
	}
	return out, nil
}

func ipOptsString(o []layers.IPv4Option) string {
	if len(o) == 0 {
		return "[]"
	}
	parts := make([]string, len(o))
	for i, x := range o {
		parts[i] = strconv.Itoa(int(x.OptionType)) + "=" + hex.EncodeToString(x.OptionData)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func tcpOptsString(o []layers.TCPOption) string {
	if len(o) == 0 {
		return "[]"
	}
	parts := make([]string, len(o))
	for i, x := range o {
		var s string
		d := x.OptionData
		switch {
		case x.OptionType == layers.TCPOptionKindEndList:
			s = "eol"
		case x.OptionType == layers.TCPOptionKindNop:
			s = "nop"
		case x.OptionType == layers.TCPOptionKindMSS && len(d) == 2:
			s = "mss=" + strconv.Itoa(int(binary.BigEndian.Uint16(d)))
		case x.OptionType == layers.TCPOptionKindWindowScale && len(d) == 1:
			s = "wscale=" + strconv.Itoa(int(d[0]))
		case x.OptionType == layers.TCPOptionKindSACKPermitted && len(d) == 0:
			s = "sackok"
		case x.OptionType == layers.TCPOptionKindTimestamps && len(d) == 8:
			s = "ts=" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(d)), 10) + ":" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(d[4:])), 10)
		default:
			s = strconv.Itoa(int(x.OptionType)) + "=" + hex.EncodeToString(d)
		}
		parts[i] = s
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
