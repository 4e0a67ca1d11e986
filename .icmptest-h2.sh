#!/bin/sh
# .icmptest-h2.sh: run in the directory of the ping command's package
# (cmd/rawkit/internal/ping on main) to move its tests from their own
# fakeConn (fake_test.go, deleted) to icmp/icmptest: NewConn, Delivery,
# Sent and the packet builders. Mechanical; delete before release.
set -eu
git rm -q fake_test.go 2>/dev/null || rm fake_test.go
for f in *_test.go; do
	perl -0pi -e '
		s/\[\]delivery\{\{([^{},]+), /[]icmptest.Delivery{{After: $1, Msg: /g;
		s/\}, \{([^{},]+), (r|icmp\.Message\{)/}, {After: $1, Msg: $2/g;
		s/\[\]delivery\b/[]icmptest.Delivery/g;
		s/\bnewFakeConn\(((?:[^()]++|\((?1)\))*)\)/icmptest.NewConn($1, nil)/g;
		s/\*fakeConn\b/*icmptest.Conn/g;
		s/(?<![\w.])echoReply\(/icmptest.EchoReply(/g;
		s/(?<![\w.])ipv4Header\(/icmptest.IPv4Header(/g;
		s/(?<![\w.])icmpErrorFor\(/icmptest.ErrorFor(/g;
		s/(?<![\w.])replyAfter\(/icmptest.ReplyAfter(/g;
		s/(?<![\w.])seqOf\(/icmptest.Seq(/g;
		s/(?<![\w.])ipv6Header\(([^,()]+), ([^,()]+), ([^,()]+), /icmptest.IPv6Header($1, $2, $3, 0, 0, icmp.ProtocolICMPv6, /g;
		s/\t*conn\.mu\.Lock\(\)\n(\t*sent := )conn\.sent\n\t*conn\.mu\.Unlock\(\)\n/$1conn.Sent()\n/g; s/\bp\.b\b/p.Data/g; s/\bp\.dst\b/p.Dst/g; s/\bp\.at\b/p.At/g;
	' "$f"
done
# The path MTU is a Config field now, known before the Conn is made.
perl -0pi -e 's/(\t+)conn := icmptest\.NewConn\(tc\.script, nil\)\n(\t+)wantErr, err := (os\.ReadFile\([^\n]*\))\n\t+if err == nil \{\n\t+conn\.mtu = 1500\n\t+\}\n/$1wantErr, err := $3\n$1var cfg *icmptest.Config\n$1if err == nil {\n$1\tcfg = &icmptest.Config{MTU: 1500}\n$1}\n$1conn := icmptest.NewConn(tc.script, cfg)\n/' golden_test.go
goimports -w *_test.go
