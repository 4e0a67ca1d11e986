// Package spec is the packet spec language of `rawkit send`: one line of
// text, layers joined by "/" with named fields as in scapy, that describes
// one packet or, with ranges and lists, many:
//
//	ip(dst=10.0.0.2, ttl=1-3)/udp(dport=[53,123])/raw("hi")
//
// Parse and ParseConfig compile a spec and build its packets; Compile
// checks a spec without building and Spec.Build builds it later. Each
// Packet holds its layers, wrapped in craft.Literal naming the fields the
// spec set, and its bytes, built by package craft: a field the spec sets
// goes out as written, even a wrong checksum or a lying length, and every
// other field is computed. Help returns the reference of the language,
// generated from the table the parser reads, and Packet.Show a packet's
// fields with their values.
//
// Mistakes are *Error, which says what is wrong and at which column and
// draws a caret under it; errors.Is(err, ErrInvalid) holds for all of
// them. The bytes of the specs in testdata/spec_scapy.txt are those scapy
// builds for the equivalent expressions.
package spec
