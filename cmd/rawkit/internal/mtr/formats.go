package mtr

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rawkit/rawkit/icmp/trace"
)

// mtrVersion is the mtr whose formats these are.
const mtrVersion = "0.95"

// jsonString quotes s as jansson does for ASCII text (and as
// encoding/json does, HTML left alone).
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jsonReal prints a real as jansson does with JSON_REAL_PRECISION(5):
// "%.5g", and ".0" added when that looks like an integer.
func jsonReal(v float64) string {
	s := strconv.FormatFloat(v, 'g', 5, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	// C's %g writes exponents with at least two digits.
	if i := strings.IndexAny(s, "eE"); i >= 0 && len(s)-i == 3 {
		s = s[:i+2] + "0" + s[i+2:]
	}
	return s
}

// kv is one member of a JSON object, its value already encoded.
type kv struct{ k, v string }

// writeObject prints members as jansson's JSON_INDENT(4) does, at
// nesting depth d.
func writeObject(w io.Writer, members []kv, d int) {
	in := strings.Repeat("    ", d+1)
	fmt.Fprint(w, "{\n")
	for i, m := range members {
		sep := ","
		if i == len(members)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "%s%s: %s%s\n", in, jsonString(m.k), m.v, sep)
	}
	fmt.Fprintf(w, "%s}", strings.Repeat("    ", d))
}

// writeMtrJSON prints mtr 0.95's -j report (ui/report.c json_close).
func (r *report) writeMtrJSON(w io.Writer) {
	var hubs strings.Builder
	fs := activeFields(r.o.fields)
	if len(r.snap.Hops) == 0 {
		hubs.WriteString("[]")
	} else {
		hubs.WriteString("[\n")
		for i := range r.snap.Hops {
			h := &r.snap.Hops[i]
			ms := []kv{{"count", strconv.Itoa(h.TTL)}, {"host", jsonString(r.hostName(h.Latest))}}
			for _, f := range fs {
				if f.key == ' ' {
					continue
				}
				v := strconv.Itoa(int(f.value(h)))
				if f.float {
					v = jsonReal(f.value(h))
				}
				ms = append(ms, kv{f.title, v})
			}
			hubs.WriteString("            ")
			writeObject(&hubs, ms, 3)
			if i < len(r.snap.Hops)-1 {
				hubs.WriteString(",")
			}
			hubs.WriteString("\n")
		}
		hubs.WriteString("        ]")
	}
	var mtr strings.Builder
	writeObject(&mtr, []kv{{"src", jsonString(r.localHost)}, {"dst", jsonString(r.target)},
		{"tos", strconv.Itoa(r.o.cfg.TOS)}, {"tests", strconv.Itoa(r.o.cfg.Count)},
		{"psize", jsonString(strconv.Itoa(r.psize))}, {"bitpattern", jsonString("0x00")}}, 2)
	var rep strings.Builder
	writeObject(&rep, []kv{{"mtr", mtr.String()}, {"hubs", hubs.String()}}, 1)
	writeObject(w, []kv{{"report", rep.String()}}, 0)
	fmt.Fprint(w, "\n")
}

// writeCSV prints mtr 0.95's -C report (ui/report.c csv_close): the
// spacer column counts too, and prints the drop count.
func (r *report) writeCSV(w io.Writer) {
	fs := activeFields(r.o.fields)
	for i := range r.snap.Hops {
		h := &r.snap.Hops[i]
		if i == 0 {
			fmt.Fprint(w, "Mtr_Version,Start_Time,Status,Host,Hop,Ip,")
			for _, f := range fs {
				fmt.Fprintf(w, "%s,", f.title)
			}
			fmt.Fprint(w, "\n")
		}
		fmt.Fprintf(w, "MTR.%s,%d,%s,%s,%d,%s", mtrVersion, r.snap.Ended.Unix(), "OK", r.target, h.TTL, r.hostName(h.Latest))
		for _, f := range fs {
			if f.float {
				fmt.Fprintf(w, ",%.2f", f.value(h))
			} else {
				fmt.Fprintf(w, ",%d", int(f.value(h)))
			}
		}
		fmt.Fprint(w, "\n")
	}
}

// writeXML prints mtr 0.95's -x report (ui/report.c xml_close): values
// keep their printf padding, Loss% is the tag Loss.
func (r *report) writeXML(w io.Writer) {
	fmt.Fprint(w, "<?xml version=\"1.0\"?>\n")
	fmt.Fprintf(w, "<MTR SRC=\"%s\" DST=\"%s\" TOS=\"0x%X\" PSIZE=\"%d\" BITPATTERN=\"0x%02X\" TESTS=\"%d\">\n",
		r.localHost, r.target, r.o.cfg.TOS, r.psize, 0, r.o.cfg.Count)
	fs := activeFields(r.o.fields)
	for i := range r.snap.Hops {
		h := &r.snap.Hops[i]
		fmt.Fprintf(w, "    <HUB COUNT=\"%d\" HOST=\"%s\">\n", h.TTL, r.hostName(h.Latest))
		for _, f := range fs {
			if f.key == ' ' {
				continue
			}
			title := f.title
			if title == "Loss%" {
				title = "Loss"
			}
			fmt.Fprintf(w, "        <%s>%s</%s>\n", title, f.format(h), title)
		}
		fmt.Fprint(w, "    </HUB>\n")
	}
	fmt.Fprint(w, "</MTR>\n")
}

// rawWriter prints mtr's -l stream (ui/raw.c, FORMATS) as probes
// settle: "x HOST SEQ" for each probe, "h HOST IP" when a TTL's latest
// responder changes (mtr 0.95 prints it twice for a new one: once for
// its list of addresses, once as the latest), "m" lines for its MPLS
// labels with -e, "d HOST NAME" once per TTL with names, and "p HOST
// USEC SEQ" for each answer. HOST is the TTL less one; SEQ counts from
// mtr's 33000.
type rawWriter struct {
	w       io.Writer
	o       *opts
	seq     int
	latest  map[int]string
	seen    map[int]map[string]bool
	named   map[int]bool
	resolve func(trace.MonitorProbe) string
}

func newRawWriter(w io.Writer, o *opts, resolve func(trace.MonitorProbe) string) *rawWriter {
	return &rawWriter{w: w, o: o, seq: 33000, latest: map[int]string{}, seen: map[int]map[string]bool{},
		named: map[int]bool{}, resolve: resolve}
}

func (rw *rawWriter) probe(p trace.MonitorProbe) {
	host := p.TTL - 1
	seq := rw.seq
	rw.seq++
	if rw.seq >= 65536 {
		rw.seq = 33000
	}
	fmt.Fprintf(rw.w, "x %d %d\n", host, seq)
	if !p.Answered {
		return
	}
	ip := p.From.String()
	if rw.latest[host] != ip {
		if rw.seen[host] == nil {
			rw.seen[host] = map[string]bool{}
		}
		if !rw.seen[host][ip] && len(rw.seen[host]) < 8 {
			rw.seen[host][ip] = true
			rw.host(host, ip, p.MPLS)
		}
		rw.latest[host] = ip
		rw.host(host, ip, p.MPLS)
	}
	if !rw.o.numeric && !rw.named[host] && rw.resolve != nil {
		if name := rw.resolve(p); name != "" {
			rw.named[host] = true
			fmt.Fprintf(rw.w, "d %d %s\n", host, name)
		}
	}
	fmt.Fprintf(rw.w, "p %d %d %d\n", host, int(p.RTT.Microseconds()), seq)
}

func (rw *rawWriter) host(host int, ip string, mpls []trace.MPLSLabel) {
	fmt.Fprintf(rw.w, "h %d %s\n", host, ip)
	if !rw.o.mpls {
		return
	}
	for _, l := range mpls {
		s := 0
		if l.S {
			s = 1
		}
		fmt.Fprintf(rw.w, "m %d %d %d %d %d\n", host, l.Label, l.TC, s, l.TTL)
	}
}
