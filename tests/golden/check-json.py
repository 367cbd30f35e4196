#!/usr/bin/env python3
"""Independent check of `mesh show --json`: parses the canned daemon replies
(the control protocol's key=value text) on its own and checks that the JSON
document says the same thing, with the documented types.

usage: check-json.py JSON_FILE REPLY_FILE...   (replies in interface order)
"""
import json
import sys

RECORDS = ("interface", "peer", "dht", "bucket", "search", "reload")


def parse_reply(path):
    """Reply text -> dict of records, in the simplest possible way."""
    lines = open(path, encoding="ascii").read().split("\n")
    assert lines[0] == "mesh-ctl=1", path
    out = {"interface": None, "peers": [], "dht": None}
    cur = None
    for line in lines[1:]:
        if line == "":
            break
        key, _, val = line.partition("=")
        if key == "errno":
            assert val == "0"
            continue
        if key in RECORDS:
            cur = {key: val, "drops": {}}
            if key == "interface":
                out["interface"] = cur
            elif key == "peer":
                out["peers"].append(cur)
            elif key == "dht":
                cur["buckets"], cur["searches"] = [], []
                out["dht"] = cur
            elif key == "bucket":
                out["dht"]["buckets"].append(cur)
            elif key == "search":
                out["dht"]["searches"].append(cur)
            continue
        if key.startswith("drop_"):
            cur["drops"][key[5:]] = int(val)
        else:
            cur[key] = val
    return out


def num(rec, key):
    return int(rec[key]) if key in rec else 0


def check_str(where, got, want):
    if got != want:
        sys.exit("%s: JSON has %r, reply says %r" % (where, got, want))


def opt(rec, key):
    return rec.get(key) or None


def check_iface(j, r):
    ri = r["interface"]
    w = "interface " + ri["interface"]
    check_str(w, j["interface"], ri["interface"])
    for jk, rk in (("network", "network"), ("namespace", "namespace"),
                   ("netconfig", "netconfig"), ("public_key", "public_key"),
                   ("address4", "address4"), ("address6", "address6"),
                   ("reflexive_endpoint", "reflexive")):
        check_str(w + " " + jk, j[jk], opt(ri, rk))
    for k in ("workbit", "listen_port", "pid", "uid", "rx_bytes",
              "tx_bytes"):
        check_str(w + " " + k, j[k], num(ri, k))
        assert isinstance(j[k], int)
    check_str(w + " nat", j["nat"], ri.get("nat", "unknown"))
    pm = j["port_mapping"]
    check_str(w + " portmap", pm["state"], ri.get("portmap", "off"))
    check_str(w + " portmap external", pm["external"],
              opt(ri, "portmap_external"))
    check_str(w + " portmap expires", pm["expires"],
              num(ri, "portmap_expires") or None)
    lr = j["last_reload"]
    if num(ri, "reload_time") == 0:
        check_str(w + " last_reload", lr, None)
    else:
        check_str(w + " last_reload time", lr["time"], num(ri, "reload_time"))
        for k in ("via", "result", "error"):
            check_str(w + " last_reload " + k, lr[k], opt(ri, "reload_" + k))
        for k in ("added", "removed", "changed"):
            check_str(w + " last_reload " + k, lr[k], num(ri, "reload_" + k))
    check_str(w + " drops", j["drops"], ri["drops"])

    assert isinstance(j["peers"], list), w
    check_str(w + " peers", len(j["peers"]), len(r["peers"]))
    names = {p["peer"]: p.get("name") for p in r["peers"]}
    for jp, rp in zip(j["peers"], r["peers"]):
        pw = w + " peer " + rp["peer"]
        check_str(pw, jp["public_key"], rp["peer"])
        for k in ("name", "address4", "address6", "why", "endpoint", "via"):
            check_str(pw + " " + k, jp[k], opt(rp, k))
        check_str(pw + " via_name", jp["via_name"],
                  names.get(rp.get("via")))
        check_str(pw + " path", jp["path"], rp.get("path", "unknown"))
        check_str(pw + " last_handshake", jp["last_handshake"],
                  num(rp, "last_handshake") or None)
        check_str(pw + " rtt_us", jp["rtt_us"], num(rp, "rtt_us") or None)
        check_str(pw + " connect_ms", jp["connect_ms"],
                  num(rp, "connect_ms") or None)
        for k in ("last_seen", "silent_since"):
            check_str(pw + " " + k, jp[k], num(rp, k) or None)
        check_str(pw + " lost", jp["lost"], num(rp, "lost") == 1)
        check_str(pw + " trying", jp["trying"], opt(rp, "trying"))
        check_str(pw + " mtu", jp["mtu"], num(rp, "mtu") or None)
        check_str(pw + " mtu_inner", jp["mtu_inner"],
                  num(rp, "mtu") and num(rp, "mtu_inner") or None)
        check_str(pw + " mtu_source", jp["mtu_source"], opt(rp, "mtu_source"))
        for k in ("tried", "tried_result"):
            check_str(pw + " " + k, jp[k], opt(rp, k))
        for k in ("tried_probes", "tried_budget", "tried_pps", "tried_ms"):
            check_str(pw + " " + k, jp[k],
                      num(rp, k) if opt(rp, "tried") else None)
        for k in ("recovery", "recovery_via"):
            check_str(pw + " " + k, jp[k], opt(rp, k))
        check_str(pw + " recovery_lost", jp["recovery_lost"],
                  num(rp, "recovery_lost") or None)
        check_str(pw + " recovery_gap_ms", jp["recovery_gap_ms"],
                  num(rp, "recovery_gap_ms") if opt(rp, "recovery") else None)
        for k in ("rx_bytes", "tx_bytes"):
            check_str(pw + " " + k, jp[k], num(rp, k))
        check_str(pw + " drops", jp["drops"], rp["drops"])

    rd, jd = r["dht"], j["dht"]
    if rd is None:
        check_str(w + " dht", jd, None)
        return
    check_str(w + " dht id", jd["id"], rd["dht"])
    for k in ("nodes", "good", "replacements", "rx_packets", "tx_packets"):
        check_str(w + " dht " + k, jd[k], num(rd, k))
    check_str(w + " dht drops", jd["drops"], rd["drops"])
    check_str(w + " buckets", len(jd["buckets"]), len(rd["buckets"]))
    for jb, rb in zip(jd["buckets"], rd["buckets"]):
        check_str(w + " bucket depth", jb["depth"], int(rb["bucket"]))
        for k in ("nodes", "good", "replacements"):
            check_str(w + " bucket " + k, jb[k], num(rb, k))
        check_str(w + " bucket last_active", jb["last_active"],
                  num(rb, "last_active") or None)
    check_str(w + " searches", len(jd["searches"]), len(rd["searches"]))
    for js, rs in zip(jd["searches"], rd["searches"]):
        check_str(w + " search", js["target"], rs["search"])
        for k in ("kind", "state"):
            check_str(w + " search " + k, js[k], opt(rs, k))
        for k in ("inflight", "responded", "found"):
            check_str(w + " search " + k, js[k], num(rs, k))


def main():
    doc = json.load(open(sys.argv[1]))
    if doc.get("version") != 1:
        sys.exit("version: %r" % doc.get("version"))
    replies = [parse_reply(p) for p in sys.argv[2:]]
    if len(doc["interfaces"]) != len(replies):
        sys.exit("%d interfaces, expected %d" % (len(doc["interfaces"]),
                                                 len(replies)))
    for j, r in zip(doc["interfaces"], replies):
        check_iface(j, r)


if __name__ == "__main__":
    main()
