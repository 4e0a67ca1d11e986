#!/usr/bin/python3
# Prints, for each rawkit packet spec below, the bytes scapy builds for the
# equivalent scapy expression, one "spec<TAB>expression<TAB>hex" line each:
# the golden file spec_scapy.txt that the tests of craft/spec compare against.
#
#   /usr/bin/python3 craft/spec/testdata/spec_scapy.py > craft/spec/testdata/spec_scapy.txt
#
# Needs Debian's python3-scapy. An unset source in a spec is the address
# the test's route lookup returns, 192.0.2.1; the scapy side sets it.
# With a file name argument it re-checks that file instead and exits 1 on
# any difference (the privileged suite runs it so).
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Raw, IPOption_EOL, IPOption_LSRR,
                       IPOption_NOP, IPOption_RR, IPOption_Router_Alert,
                       IPOption_SSRR, IPOption)
from scapy.layers.inet6 import (
    IPv6, ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6DestUnreach,
    ICMPv6PacketTooBig, ICMPv6TimeExceeded, ICMPv6ParamProblem, ICMPv6ND_NS,
    ICMPv6ND_NA, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_Redirect,
    ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
    ICMPv6NDOptPrefixInfo, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
    IPv6ExtHdrFragment, IPv6ExtHdrDestOpt, RouterAlert, PadN, ICMPv6MLReport2)

S = "192.0.2.1"
S6 = "2001:db8::1"  # the unset IPv6 source

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

CASES += [
    ('ip6(dst=fd00::2, hlim=3, tc=0x10, fl=12345)/icmp6(type=echo-request, id=1, seq=1)/raw("hi")',
     'IPv6(src=S6, dst="fd00::2", hlim=3, tc=0x10, fl=12345)/ICMPv6EchoRequest(id=1, seq=1, data=b"hi")'),
    ('ip6()', 'IPv6(src=S6)'),
    ('ip6()/icmp6()', 'IPv6(src=S6)/ICMPv6EchoRequest()'),
    ('ip6()/udp()', 'IPv6(src=S6)/UDP()'),
    ('ip6()/tcp()', 'IPv6(src=S6)/TCP()'),
    ('ip6(dst=fd00::2)/icmp6(type=echo-reply, id=0xbeef, seq=65535)/raw(size=56)',
     'IPv6(src=S6, dst="fd00::2")/ICMPv6EchoReply(id=0xbeef, seq=65535, data=bytes(56))'),
    ('ip6(src=fe80::1, dst=fe80::2)/udp(sport=546, dport=547)/raw("dhcp")',
     'IPv6(src="fe80::1", dst="fe80::2")/UDP(sport=546, dport=547)/Raw(b"dhcp")'),
    ('ip6(dst=2001:db8::2)/tcp(sport=40000, dport=443, flags=S, seq=1000, window=1024, options=[mss=1440, sackok, wscale=7])',
     'IPv6(src=S6, dst="2001:db8::2")/TCP(sport=40000, dport=443, flags="S", seq=1000, window=1024, options=[("MSS", 1440), ("SAckOK", b""), ("WScale", 7)])'),
    ('ip6(dst=fd00::2)/udp(dport=53, chksum=0xbad0)/raw("x")',
     'IPv6(src=S6, dst="fd00::2")/UDP(dport=53, chksum=0xbad0)/Raw(b"x")'),
    ('ip6(dst=fd00::2)/icmp6(chksum=0x1234)', 'IPv6(src=S6, dst="fd00::2")/ICMPv6EchoRequest(cksum=0x1234)'),
    ('ip6(dst=fd00::2, plen=100, nh=udp, version=4)/icmp6()',
     'IPv6(src=S6, dst="fd00::2", plen=100, nh=17, version=4)/ICMPv6EchoRequest()'),
    ('ip6(dst=fd00::2)/icmp6(type=dest-unreach, code=port-unreachable)/ip6(src=fd00::2, dst=fd00::1)/udp(sport=33434, dport=53)',
     'IPv6(src=S6, dst="fd00::2")/ICMPv6DestUnreach(code=4)/IPv6(src="fd00::2", dst="fd00::1")/UDP(sport=33434, dport=53)'),
    ('ip6(dst=fd00::2)/icmp6(type=packet-too-big, mtu=1400)/ip6(src=fd00::2, dst=fd00::9)/icmp6(id=5, seq=6)',
     'IPv6(src=S6, dst="fd00::2")/ICMPv6PacketTooBig(mtu=1400)/IPv6(src="fd00::2", dst="fd00::9")/ICMPv6EchoRequest(id=5, seq=6)'),
    ('ip6(dst=fd00::2)/icmp6(type=time-exceeded, code=hop-limit-exceeded)/ip6(src=fd00::2, dst=fd00::9, hlim=1)/udp(dport=33435)',
     'IPv6(src=S6, dst="fd00::2")/ICMPv6TimeExceeded(code=0)/IPv6(src="fd00::2", dst="fd00::9", hlim=1)/UDP(dport=33435)'),
    ('ip6(dst=fd00::2)/icmp6(type=param-problem, code=unrecognized-next-header, ptr=6)',
     'IPv6(src=S6, dst="fd00::2")/ICMPv6ParamProblem(code=1, ptr=6)'),
    ('ip6(dst=ff02::1:ff00:2, hlim=255)/icmp6(type=ns, tgt=fd00::2, options=[slla=02:00:00:00:00:01])',
     'IPv6(src=S6, dst="ff02::1:ff00:2", hlim=255)/ICMPv6ND_NS(tgt="fd00::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")'),
    ('ip6(dst=ff02::1, hlim=255)/icmp6(type=na, tgt=fd00::2, flags=0x60, options=[tlla=02:00:00:00:00:02])',
     'IPv6(src=S6, dst="ff02::1", hlim=255)/ICMPv6ND_NA(tgt="fd00::2", R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")'),
    ('ip6(dst=ff02::1, hlim=255)/icmp6(type=na, tgt=fd00::2)',
     'IPv6(src=S6, dst="ff02::1", hlim=255)/ICMPv6ND_NA(tgt="fd00::2")'),
    ('ip6(dst=ff02::2, hlim=255)/icmp6(type=rs, options=[slla=02:00:00:00:00:01])',
     'IPv6(src=S6, dst="ff02::2", hlim=255)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")'),
    ('ip6(src=fe80::1, dst=ff02::1, hlim=255)/icmp6(type=ra, chlim=64, routerlifetime=600, options=[slla=02:00:00:00:00:01, mtu=1500, prefix=2001:db8:1::/64])',
     'IPv6(src="fe80::1", dst="ff02::1", hlim=255)/ICMPv6ND_RA(chlim=64, routerlifetime=600)/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64)'),
    ('ip6(src=fe80::1, dst=fd00::2, hlim=255)/icmp6(type=redirect, tgt=fe80::9, dst=fd00::99)',
     'IPv6(src="fe80::1", dst="fd00::2", hlim=255)/ICMPv6ND_Redirect(tgt="fe80::9", dst="fd00::99")'),
    ('ip6(dst=ff02::1)/icmp6(type=na, tgt=fd00::2, flags=0xe0)',
     'IPv6(src=S6, dst="ff02::1")/ICMPv6ND_NA(tgt="fd00::2", R=1, S=1, O=1)'),
    ('ip6(dst=ff02::2, hlim=1)/icmp6(type=rs)', 'IPv6(src=S6, dst="ff02::2", hlim=1)/ICMPv6ND_RS()'),
    ('ip6(dst=fd00::2)/hbh()/udp()', 'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrHopByHop()/UDP()'),
    ('ip6(dst=ff02::16, hlim=1)/hbh(options=[ra=0])/icmp6(type=mld2-report)/raw(hex="00000000")',
     'IPv6(src=S6, dst="ff02::16", hlim=1)/IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])/ICMPv6MLReport2()'),
    ('ip6(dst=fd00::2)/rt(addrs=[fd00::3, fd00::4])/udp(dport=7)',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrRouting(addresses=["fd00::3", "fd00::4"])/UDP(dport=7)'),
    ('ip6(dst=fd00::2)/routing(addrs=[fd00::3], segleft=0)/tcp()',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrRouting(addresses=["fd00::3"], segleft=0)/TCP()'),
    ('ip6(dst=fd00::2)/frag6(offset=0, m=1, id=0x1234)/icmp6(seq=1)/raw(size=32)',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrFragment(offset=0, m=1, id=0x1234)/ICMPv6EchoRequest(seq=1, data=bytes(32))'),
    ('ip6(dst=fd00::2)/frag6(offset=4, id=0x1234)/raw(size=16)',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrFragment(offset=4, id=0x1234)/Raw(bytes(16))'),
    ('ip6(dst=fd00::2)/dest(options=[padn=4])/udp()',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrDestOpt(options=[PadN(optdata=bytes(4))])/UDP()'),
    ('ip6(dst=fd00::2)/hbh()/rt(addrs=[fd00::9])/frag6(m=1, id=7)/dest()/udp(sport=1, dport=2)',
     'IPv6(src=S6, dst="fd00::2")/IPv6ExtHdrHopByHop()/IPv6ExtHdrRouting(addresses=["fd00::9"])/IPv6ExtHdrFragment(m=1, id=7)/IPv6ExtHdrDestOpt()/UDP(sport=1, dport=2)'),
    ('ip(dst=10.0.0.2)/ip6(src=2001:db8::1, dst=2001:db8::2)/icmp6()',
     'IP(src=S, dst="10.0.0.2")/IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6EchoRequest()'),
    ('ip6(dst=fd00::2)/ip6(src=fd00::5, dst=fd00::6)/udp()',
     'IPv6(src=S6, dst="fd00::2")/IPv6(src="fd00::5", dst="fd00::6")/UDP()'),
]

# Expanding specs: each packet in order against a list of scapy packets.
EXPAND = [
    ('ip(dst=10.0.0.2, ttl=1-3)/icmp(seq=[1,2])',
     '[IP(src=S, dst="10.0.0.2", ttl=t)/ICMP(seq=q) for t in (1, 2, 3) for q in (1, 2)]'),
    ('ip(dst=10.0.0.0/31)/tcp(dport=[22,80,443])',
     '[IP(src=S, dst=d)/TCP(dport=p) for d in ("10.0.0.0", "10.0.0.1") for p in (22, 80, 443)]'),
    ('ip6(dst=fd00::1-3, hlim=[1,64])/icmp6(seq=7)',
     '[IPv6(src=S6, dst=d, hlim=h)/ICMPv6EchoRequest(seq=7) for d in ("fd00::1", "fd00::2", "fd00::3") for h in (1, 64)]'),
    ('ip6(dst=fd00::/127, fl=[1,0xfffff])/udp(dport=33434-33435)',
     '[IPv6(src=S6, dst=d, fl=f)/UDP(dport=p) for d in ("fd00::", "fd00::1") for f in (1, 0xfffff) for p in (33434, 33435)]'),
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
