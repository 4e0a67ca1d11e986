#!/usr/bin/python3
# Prints, for each rawkit packet spec below, the bytes scapy builds for the
# equivalent scapy expression, one "spec<TAB>expression<TAB>hex" line each:
# the golden file spec_scapy.txt that craft's spec tests compare against.
#
#   /usr/bin/python3 craft/testdata/spec_scapy.py > craft/testdata/spec_scapy.txt
#
# Needs Debian's python3-scapy. An unset source in a spec is the address
# the test's route lookup returns, 192.0.2.1; the scapy side sets it.
# With a file name argument it re-checks that file instead and exits 1 on
# any difference (the privileged suite runs it so).
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Raw, IPOption_EOL, IPOption_LSRR,
                       IPOption_NOP, IPOption_RR, IPOption_Router_Alert,
                       IPOption_SSRR, IPOption)

S = "192.0.2.1"

CASES = [
    ('ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, tos=0x10)/icmp(type=echo-request, id=1, seq=1)/raw("hello")',
     'IP(src=S, dst="10.0.0.2", ttl=3, id=7, flags="DF", tos=0x10)/ICMP(type="echo-request", id=1, seq=1)/Raw(b"hello")'),
    ('ip(dst=10.0.0.2)/udp(sport=1234, dport=53)/raw(hex="00ff")',
     'IP(src=S, dst="10.0.0.2")/UDP(sport=1234, dport=53)/Raw(bytes.fromhex("00ff"))'),
    ('ip(dst=10.0.0.2)/tcp(dport=80, flags=S, seq=1000, window=1024, options=[mss=1460, sackok, wscale=7])',
     'IP(src=S, dst="10.0.0.2")/TCP(dport=80, flags="S", seq=1000, window=1024, options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])'),
    ('ip()', 'IP(src=S)'),
    ('ip()/icmp()', 'IP(src=S)/ICMP()'),
    ('ip()/udp()', 'IP(src=S)/UDP()'),
    ('ip()/tcp()', 'IP(src=S)/TCP()'),
    ('ip(dst=10.1.2.3)/icmp(type=echo-reply, id=0xbeef, seq=65535)',
     'IP(src=S, dst="10.1.2.3")/ICMP(type="echo-reply", id=0xbeef, seq=65535)'),
    ('ip(dst=10.0.0.2)/icmp(type=dest-unreach, code=port-unreachable)/ip(src=10.0.0.2, dst=10.0.0.1)/udp(sport=33434, dport=53)',
     'IP(src=S, dst="10.0.0.2")/ICMP(type="dest-unreach", code="port-unreachable")/IP(src="10.0.0.2", dst="10.0.0.1")/UDP(sport=33434, dport=53)'),
    ('ip(dst=10.0.0.2)/icmp(type=time-exceeded, code=0)/ip(src=10.0.0.1, dst=10.9.9.9, ttl=1)/icmp(id=5, seq=6)',
     'IP(src=S, dst="10.0.0.2")/ICMP(type="time-exceeded", code=0)/IP(src="10.0.0.1", dst="10.9.9.9", ttl=1)/ICMP(id=5, seq=6)'),
    ('ip(dst=10.0.0.2)/icmp(type=3, code=4, mtu=1400)', 'IP(src=S, dst="10.0.0.2")/ICMP(type=3, code=4, nexthopmtu=1400)'),
    ('ip(dst=10.0.0.2)/icmp(type=redirect, code=host-redirect, gw=10.0.0.254)',
     'IP(src=S, dst="10.0.0.2")/ICMP(type="redirect", code=1, gw="10.0.0.254")'),
    ('ip(dst=10.0.0.2)/icmp(type=parameter-problem, ptr=20)', 'IP(src=S, dst="10.0.0.2")/ICMP(type=12, ptr=20)'),
    ('ip(dst=10.0.0.2)/icmp(chksum=0x1234)', 'IP(src=S, dst="10.0.0.2")/ICMP(chksum=0x1234)'),
    ('ip(dst=10.0.0.2, chksum=0xdead)/icmp()', 'IP(src=S, dst="10.0.0.2", chksum=0xdead)/ICMP()'),
    ('ip(dst=10.0.0.2, len=1000)/icmp()', 'IP(src=S, dst="10.0.0.2", len=1000)/ICMP()'),
    ('ip(dst=10.0.0.2, ihl=6)/icmp()', 'IP(src=S, dst="10.0.0.2", ihl=6)/ICMP()'),
    ('ip(dst=10.0.0.2, proto=udp)/icmp()', 'IP(src=S, dst="10.0.0.2", proto=17)/ICMP()'),
    ('ip(dst=10.0.0.2, frag=185, flags=MF)/raw(size=64)', 'IP(src=S, dst="10.0.0.2", frag=185, flags="MF")/Raw(b"\\0" * 64)'),
    ('ip(dst=10.0.0.2, flags=DF+MF+evil)/raw("x")', 'IP(src=S, dst="10.0.0.2", flags="DF+MF+evil")/Raw(b"x")'),
    ('ip(dst=10.0.0.2, version=6)/icmp()', 'IP(src=S, dst="10.0.0.2", version=6)/ICMP()'),
    ('ip(src=10.0.0.1, dst=10.0.0.2)/ip(src=172.16.0.1, dst=172.16.0.2)/icmp()',
     'IP(src="10.0.0.1", dst="10.0.0.2")/IP(src="172.16.0.1", dst="172.16.0.2")/ICMP()'),
    ('ip(dst=10.0.0.2)/ip(src=172.16.0.1, dst=172.16.0.2)/udp(dport=4789)/raw("inner")',
     'IP(src=S, dst="10.0.0.2")/IP(src="172.16.0.1", dst="172.16.0.2")/UDP(dport=4789)/Raw(b"inner")'),
    ('ip(dst=10.0.0.2, options=[rr])/icmp()', 'IP(src=S, dst="10.0.0.2", options=[IPOption_RR(routers=["0.0.0.0"] * 9)])/ICMP()'),
    ('ip(dst=10.0.0.2, options=[nop, rr=2])/icmp()', 'IP(src=S, dst="10.0.0.2", options=[IPOption_NOP(), IPOption_RR(routers=["0.0.0.0"] * 2)])/ICMP()'),
    ('ip(dst=10.0.0.2, options=[lsrr=[10.0.0.3, 10.0.0.4]])/icmp()',
     'IP(src=S, dst="10.0.0.2", options=[IPOption_LSRR(routers=["10.0.0.3", "10.0.0.4"])])/ICMP()'),
    ('ip(dst=10.0.0.2, options=[ssrr=[10.0.0.3]])/udp()',
     'IP(src=S, dst="10.0.0.2", options=[IPOption_SSRR(routers=["10.0.0.3"])])/UDP()'),
    ('ip(dst=10.0.0.2, options=[ra])/raw("a")', 'IP(src=S, dst="10.0.0.2", options=[IPOption_Router_Alert()])/Raw(b"a")'),
    ('ip(dst=10.0.0.2, options=[ts=2])/icmp()',
     'IP(src=S, dst="10.0.0.2", options=[IPOption(b"\\x44\\x0c\\x05\\x00" + bytes(8))])/ICMP()'),
    ('ip(dst=10.0.0.2, options=[eol])/icmp()', 'IP(src=S, dst="10.0.0.2", options=[IPOption_EOL()])/ICMP()'),
    ('ip(dst=10.0.0.2, options=[130=000000000000000000])/icmp()',
     'IP(src=S, dst="10.0.0.2", options=[IPOption(b"\\x82\\x0b" + bytes(9))])/ICMP()'),
    ('ip(dst=10.0.0.2)/udp(sport=5000, dport=5001, chksum=0)/raw("no checksum")',
     'IP(src=S, dst="10.0.0.2")/UDP(sport=5000, dport=5001, chksum=0)/Raw(b"no checksum")'),
    ('ip(dst=10.0.0.2)/udp(len=100)/raw("short")', 'IP(src=S, dst="10.0.0.2")/UDP(len=100)/Raw(b"short")'),
    ('ip(dst=10.0.0.2)/udp(chksum=0xbad0)', 'IP(src=S, dst="10.0.0.2")/UDP(chksum=0xbad0)'),
    ('ip(dst=10.0.0.2)/tcp(sport=40000, dport=443, flags=SA, seq=1, ack=2, window=65535, urgptr=7)',
     'IP(src=S, dst="10.0.0.2")/TCP(sport=40000, dport=443, flags="SA", seq=1, ack=2, window=65535, urgptr=7)'),
    ('ip(dst=10.0.0.2)/tcp(flags=FSRPAUECN)', 'IP(src=S, dst="10.0.0.2")/TCP(flags="FSRPAUECN")'),
    ('ip(dst=10.0.0.2)/tcp(flags=0)', 'IP(src=S, dst="10.0.0.2")/TCP(flags=0)'),
    ('ip(dst=10.0.0.2)/tcp(flags=PA, seq=100, ack=200)/raw("GET / HTTP/1.0\\r\\n\\r\\n")',
     'IP(src=S, dst="10.0.0.2")/TCP(flags="PA", seq=100, ack=200)/Raw(b"GET / HTTP/1.0\\r\\n\\r\\n")'),
    ('ip(dst=10.0.0.2)/tcp(options=[nop, nop, ts=123:456])',
     'IP(src=S, dst="10.0.0.2")/TCP(options=[("NOP", None), ("NOP", None), ("Timestamp", (123, 456))])'),
    ('ip(dst=10.0.0.2)/tcp(flags=A, options=[sack=[100:200, 300:400]])',
     'IP(src=S, dst="10.0.0.2")/TCP(flags="A", options=[("SAck", (100, 200, 300, 400))])'),
    ('ip(dst=10.0.0.2)/tcp(chksum=0xffff, dataofs=5)', 'IP(src=S, dst="10.0.0.2")/TCP(chksum=0xffff, dataofs=5)'),
    ('ip(dst=10.0.0.2)/tcp(options=[mss=536])/raw(hex="de ad be ef")',
     'IP(src=S, dst="10.0.0.2")/TCP(options=[("MSS", 536)])/Raw(bytes.fromhex("deadbeef"))'),
    ('ip(dst=10.0.0.2)/raw("\\x00\\xff\\n")', 'IP(src=S, dst="10.0.0.2")/Raw(b"\\x00\\xff\\n")'),
    ('ip(dst=10.0.0.2, tos=0xb8, ttl=255, id=0xffff)/udp(sport=123, dport=123)/raw(size=48)',
     'IP(src=S, dst="10.0.0.2", tos=0xb8, ttl=255, id=0xffff)/UDP(sport=123, dport=123)/Raw(bytes(48))'),
    ('ip(dst=10.0.0.2)/icmp(type=timestamp-request, id=9)/raw(hex="000000000000000000000000")',
     'IP(src=S, dst="10.0.0.2")/ICMP(type="timestamp-request", id=9, ts_ori=0, ts_rx=0, ts_tx=0)'),
]

# Expanding specs: each packet in order against a list of scapy packets.
EXPAND = [
    ('ip(dst=10.0.0.2, ttl=1-3)/icmp(seq=[1,2])',
     '[IP(src=S, dst="10.0.0.2", ttl=t)/ICMP(seq=q) for t in (1, 2, 3) for q in (1, 2)]'),
    ('ip(dst=10.0.0.0/31)/tcp(dport=[22,80,443])',
     '[IP(src=S, dst=d)/TCP(dport=p) for d in ("10.0.0.0", "10.0.0.1") for p in (22, 80, 443)]'),
]


def lines():
    for spec, expr in CASES:
        yield spec, expr, bytes(eval(expr)).hex()
    for spec, expr in EXPAND:
        yield spec, expr, ",".join(bytes(p).hex() for p in eval(expr))


def main():
    if len(sys.argv) == 2:
        want = open(sys.argv[1]).read().splitlines()
        got = ["\t".join(x) for x in lines()]
        if want != got:
            for w, g in zip(want, got):
                if w != g:
                    print("differs:\n  file:  %s\n  scapy: %s" % (w, g))
            if len(want) != len(got):
                print("file has %d lines, scapy %d" % (len(want), len(got)))
            sys.exit(1)
        return
    for x in lines():
        print("\t".join(x))


main()
