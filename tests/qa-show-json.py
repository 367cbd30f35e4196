#!/usr/bin/env python3
# An independent reader of `mesh show --json`, written from mesh(8) alone:
# checks that every documented field of an interface, its port mapping, its
# members and (when present) its DHT exists, has the documented type, and
# that the values are sane (addresses, endpoints, keys, times, counters,
# the documented words for path and NAT kind). Optionally checks values the
# caller knows:
#
#   qa-show-json.py FILE [--iface NAME] [--pid N] [--port N] [--peers N]
#                   [--address4 A/N] [--peer KEY=ENDPOINT]...
#
# Prints what it found wrong, one line each; exits 0 when nothing was.
import argparse
import ipaddress
import json
import re
import sys

KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")
COUNTER = re.compile(r"^[a-z][a-z0-9_]*$")
PATHS = {"direct", "mapped", "punched", "relayed", "lan", "unreachable"}
NATS = {"none", "endpoint-independent", "endpoint-dependent", "unknown"}
PORTMAP = {"off", "searching", "failed", "upnp", "natpmp"}

errors = []


def bad(where, msg):
    errors.append("%s: %s" % (where, msg))


def typed(where, obj, name, types, nullable=False):
    if not isinstance(obj, dict):
        bad(where, "not an object")
        return None
    if name not in obj:
        bad(where, "no field %r" % name)
        return None
    v = obj[name]
    if v is None:
        if not nullable:
            bad(where, "%r is null" % name)
        return None
    # bool is an int in Python: refuse it where a number is documented
    if isinstance(v, bool) or not isinstance(v, types):
        bad(where, "%r is %s, expected %s" % (name, type(v).__name__,
                                               types))
        return None
    return v


def number(where, obj, name, nullable=False, lo=0, hi=None):
    v = typed(where, obj, name, int, nullable)
    if v is not None and (v < lo or (hi is not None and v > hi)):
        bad(where, "%r = %d out of range" % (name, v))
    return v


def string(where, obj, name, nullable=False, pattern=None, words=None):
    v = typed(where, obj, name, str, nullable)
    if v is None:
        return None
    if not v or any(ord(c) < 0x20 for c in v):
        bad(where, "%r = %r: empty or control characters" % (name, v))
    if pattern is not None and not pattern.match(v):
        bad(where, "%r = %r: malformed" % (name, v))
    if words is not None and v not in words:
        bad(where, "%r = %r: not one of %s" % (name, v, sorted(words)))
    return v


def prefix(where, obj, name, version, plen=None, nullable=False):
    v = string(where, obj, name, nullable)
    if v is None:
        return None
    try:
        a = ipaddress.ip_interface(v)
        if a.version != version or (plen is not None and
                                    a.network.prefixlen != plen):
            raise ValueError
    except ValueError:
        bad(where, "%r = %r: expected IPv%d address/prefix%s" %
            (name, v, version, "" if plen is None else " /%d" % plen))
    return v


def endpoint(where, obj, name):
    v = string(where, obj, name, nullable=True)
    if v is None:
        return None
    m = re.match(r"^\[([0-9a-fA-F:.]+)\]:(\d+)$", v) or \
        re.match(r"^([0-9.]+):(\d+)$", v)
    try:
        if m is None or not 1 <= int(m.group(2)) <= 65535:
            raise ValueError
        ipaddress.ip_address(m.group(1))
    except ValueError:
        bad(where, "%r = %r: expected ADDR:PORT or [ADDR]:PORT" % (name, v))
    return v


def drops(where, obj):
    d = typed(where, obj, "drops", dict)
    if d is None:
        return {}
    for k, v in d.items():
        if not COUNTER.match(k):
            bad(where, "drop reason %r malformed" % k)
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            bad(where, "drop counter %r = %r: expected a positive integer"
                % (k, v))
    return d


def check_peer(where, p, now):
    string(where, p, "public_key", pattern=KEY)
    string(where, p, "name", nullable=True)
    prefix(where, p, "address4", 4, 32)
    prefix(where, p, "address6", 6, 128)
    path = string(where, p, "path", words=PATHS)
    via = string(where, p, "via", nullable=True, pattern=KEY)
    string(where, p, "via_name", nullable=True)
    if path == "relayed" and via is None:
        bad(where, "relayed without a via key")
    if path != "relayed" and via is not None:
        bad(where, "via %s on a %s path" % (via, path))
    string(where, p, "why", nullable=True)
    ep = endpoint(where, p, "endpoint")
    if path == "unreachable" and ep is not None:
        bad(where, "unreachable but endpoint %s" % ep)
    hs = number(where, p, "last_handshake", nullable=True)
    if hs is not None and now is not None and hs > now + 1:
        bad(where, "last_handshake %d after now %d" % (hs, now))
    number(where, p, "rtt_us", nullable=True, lo=1)
    number(where, p, "rx_bytes")
    number(where, p, "tx_bytes")
    number(where, p, "connect_ms", nullable=True, lo=1)
    mtu = number(where, p, "mtu", nullable=True, lo=68)
    inner = number(where, p, "mtu_inner", nullable=True, lo=0)
    src = string(where, p, "mtu_source", nullable=True,
                 words=("default", "probe", "icmp", "local", "blackhole"))
    if (mtu is None) != (src is None) or (mtu is None) != (inner is None):
        bad(where, "mtu, mtu_inner and mtu_source not given together")
    if mtu is not None and inner is not None and inner >= mtu:
        bad(where, "mtu_inner %d not below mtu %d" % (inner, mtu))
    drops(where, p)


def check_dht(where, d):
    string(where, d, "id", pattern=KEY)	# node IDs are 32 bytes, as keys
    nodes = number(where, d, "nodes")
    good = number(where, d, "good")
    number(where, d, "replacements")
    if nodes is not None and good is not None and good > nodes:
        bad(where, "good %d > nodes %d" % (good, nodes))
    number(where, d, "rx_packets")
    number(where, d, "tx_packets")
    drops(where, d)
    for i, b in enumerate(typed(where, d, "buckets", list) or []):
        w = "%s.buckets[%d]" % (where, i)
        number(w, b, "depth", hi=256)
        number(w, b, "nodes")
        number(w, b, "good")
        number(w, b, "replacements")
        number(w, b, "last_active", nullable=True)
    for i, s in enumerate(typed(where, d, "searches", list) or []):
        w = "%s.searches[%d]" % (where, i)
        string(w, s, "target")
        string(w, s, "kind")
        string(w, s, "state")
        number(w, s, "started", nullable=True)
        number(w, s, "inflight")
        number(w, s, "responded")
        number(w, s, "found")


def check_iface(where, i):
    name = string(where, i, "interface")
    string(where, i, "network")
    string(where, i, "namespace")
    nc = string(where, i, "netconfig")
    if nc is not None and not nc.startswith("/"):
        bad(where, "netconfig %r is not an absolute path" % nc)
    string(where, i, "public_key", pattern=KEY)
    number(where, i, "workbit", hi=64)
    prefix(where, i, "address4", 4, nullable=True)
    prefix(where, i, "address6", 6, 64, nullable=True)
    number(where, i, "listen_port", lo=1, hi=65535)
    endpoint(where, i, "reflexive_endpoint")
    string(where, i, "nat", words=NATS)
    pm = typed(where, i, "port_mapping", dict)
    if pm is not None:
        w = where + ".port_mapping"
        st = string(w, pm, "state", words=PORTMAP)
        ext = endpoint(w, pm, "external")
        number(w, pm, "expires", nullable=True)
        if st in ("upnp", "natpmp") and ext is None:
            bad(w, "mapped without an external endpoint")
    number(where, i, "pid", lo=1)
    number(where, i, "uid")
    started = number(where, i, "started")
    now = number(where, i, "now")
    if started is not None and now is not None and started > now:
        bad(where, "started %d after now %d" % (started, now))
    number(where, i, "rx_bytes")
    number(where, i, "tx_bytes")
    drops(where, i)
    if "dht" not in i:
        bad(where, "no field 'dht'")
    elif i["dht"] is not None:
        check_dht(where + ".dht", i["dht"])
    if "peers" not in i:
        bad(where, "no field 'peers'")
    elif i["peers"] is not None:
        if not isinstance(i["peers"], list):
            bad(where, "peers is not a list")
        else:
            for n, p in enumerate(i["peers"]):
                check_peer("%s.peers[%d]" % (where, n), p, now)
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--iface")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--port", type=int)
    ap.add_argument("--peers", type=int)
    ap.add_argument("--address4")
    ap.add_argument("--peer", action="append", default=[])
    a = ap.parse_args()
    try:
        with open(a.file) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("%s: not JSON: %s" % (a.file, e))
        return 1
    if typed("document", doc, "version", int) != 1:
        bad("document", "version is not 1")
    ifs = typed("document", doc, "interfaces", list) or []
    for n, i in enumerate(ifs):
        check_iface("interfaces[%d]" % n, i)
    if a.iface is not None:
        mine = [i for i in ifs if isinstance(i, dict) and
                i.get("interface") == a.iface]
        if len(mine) != 1:
            bad("document", "%d interfaces named %s" % (len(mine), a.iface))
        else:
            i = mine[0]
            w = a.iface
            if a.pid is not None and i.get("pid") != a.pid:
                bad(w, "pid %r, expected %d" % (i.get("pid"), a.pid))
            if a.port is not None and i.get("listen_port") != a.port:
                bad(w, "listen_port %r, expected %d" %
                    (i.get("listen_port"), a.port))
            if a.address4 is not None and i.get("address4") != a.address4:
                bad(w, "address4 %r, expected %s" %
                    (i.get("address4"), a.address4))
            peers = i.get("peers") or []
            if a.peers is not None and len(peers) != a.peers:
                bad(w, "%d peers, expected %d" % (len(peers), a.peers))
            for spec in a.peer:
                k, ep = spec.split("=", 1)
                p = [p for p in peers if p.get("public_key") == k]
                if len(p) != 1:
                    bad(w, "peer %s missing" % k)
                elif p[0].get("endpoint") != ep:
                    bad(w, "peer %s at %r, expected %s" %
                        (k, p[0].get("endpoint"), ep))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
