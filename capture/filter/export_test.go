package filter

// What the external tests (tcpdump_priv_test.go, which writes its corpus
// with package capture and so cannot be part of package filter) need of
// the IPv6 extension header walk.
const (
	IP6MaxExt  = ip6MaxExt
	ProtoFrag6 = protoFrag6
)

// IsIP6Ext reports whether next header t is an extension header the
// filters walk.
func IsIP6Ext(t uint32) bool { return isIP6Ext(t) }
