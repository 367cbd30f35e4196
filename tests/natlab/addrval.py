#!/usr/bin/env python3
"""Address validation checker for tests/natlab/mesh-addrval.sh (SECURITY.md).

Every message type the daemon's UDP port takes, sent with a source address
spoofed to be a victim's, must not bring the victim more bytes than were
sent, and must not move any state to the victim's address. Written from
the wire format documentation (src/nat/natmsg.h, dht/dhtmsg.h,
src/tunnel/wire.h), with libsodium through ctypes for X25519 and
XChaCha20-Poly1305 and hashlib for BLAKE2b.

    sniff OUT ADDR
        in the victim's namespace: log every UDP datagram that arrives for
        ADDR (time, source, ports, first byte, payload length) to OUT until
        SIGTERM.
    attack VICTIM VPORT OUT NS NET MEMBERS TARGET...
        in the attacker's namespace: for every message type, datagrams to
        each TARGET (NAME:IP:PORT:PUBKEY-FILE[:SECRET-KEY-FILE of a member
        to sign as]) spoofed from VICTIM:VPORT, one type at a time with a
        pause after each; MEMBERS (NAME=PUBKEY-FILE,...) are named in
        relay envelopes, DHT RELAYs and LAN beacons. The phases (type,
        target, start, end, bytes) go to OUT as JSON.
    steal VICTIM VPORT RELAY:PORT:PUBFILE MEMBER-SK-FILE REG-SK-FILE NS
        the member threat: a BIND of MEMBER (its own key) spoofed from the
        victim with a nonce 60 s ahead, with no, a forged and a stale
        cookie, and a DHT REGISTER of REG's key spoofed from the victim,
        with no and with a forged token.
    fakedht NS IP PORT P-IP:PORT:PUBFILE G-PUBFILE VICTIM VPORT SECONDS OUT
        a fake DHT node (a valid key of its own) at IP:PORT: it pings the
        public node P with the reachable flag until P's table takes it,
        answers PINGs, and answers every FIND for G's id with the claim
        that it serves G, whom it sees at VICTIM:VPORT (a rendezvous
        report; no contacts, which would soon make it a liar). Runs
        SECONDS; writes what it saw (FINDs, FINDs for G, start, end) to OUT
        as JSON.
    fakejudge SNIFF FAKE-OUT [IP=NAME...]
        bytes at the victim from each source address (a member, or the NAT
        in front of it) while the fake node ran, IP and UDP headers
        counted: exit 1 if one sent 1 KB or more there, or the fake node
        was never asked for G.
    judge SNIFF PHASES
        bytes at the victim in each phase's window against bytes sent:
        exit 1 if any phase brought more than it sent.
    relayed SNIFF SINCE SENT
        exit 1 if anything relayed (FROMRELAY, a DHT RELAYED, tunnel data)
        reached the victim after SINCE (a time from `date +%s.%N`), or
        more than SENT bytes in all.

Exit status: 0 pass, 1 fail, 77 skip (no libsodium), 99 error.
"""
import base64
import hashlib
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import meshpkt  # noqa: E402
from meshpkt import (dht_open, dht_pair, dht_seal, ipv4_udp,  # noqa: E402
                     now_ms, pubkey, x25519)

OWN_TTL = 61


def need_sodium():
    if meshpkt.na is None:
        print("SKIP: libsodium not loadable from Python")
        sys.exit(77)


def b64key(path):
    s = open(path).read().split()[0]
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def fresh_key():
    """A key of our own made on the spot (the lab's workbit is 0)."""
    sk = os.urandom(32)
    return sk, pubkey(sk)


def b2b(data, key=None, size=16):
    return hashlib.blake2b(data, digest_size=size,
                           key=key if key else b"").digest()


# --- NAT traversal messages (src/nat/natmsg.h, natkey.c) ---

def nat_pair(sk, pk, peer):
    lo, hi = sorted([pk, peer])
    return hashlib.blake2b(b"mesh nat v1" + lo + hi, digest_size=32,
                           key=x25519(sk, peer)).digest()


def nat_seal(body, pair):
    return body + b2b(body, pair)


def nonce8(v):
    return struct.pack(">Q", v)


def ep(ip, port):
    return bytes(10) + b"\xff\xff" + socket.inet_aton(ip) + \
        struct.pack(">H", port)


def netid(ns, name):
    return hashlib.blake2b(b"mesh beacon v1" + ns + b"\0" + name,
                           digest_size=8).digest()


# --- DHT (dht/dhtmsg.h, dht/dhtcrypto.c) ---

PING, PONG, FIND, NODES, REGISTER, REGISTERED, RELAY, RELAY_ACK, RELAYED = \
    range(0x10, 0x19)
F_REACH, F_TOKEN = 1, 2


def dht_request(flags=0, rest=b"", pad=0, token=None):
    body = struct.pack(">QQB", random.getrandbits(64), now_ms(),
                       flags | (F_TOKEN if token is not None else 0))
    if token is not None:
        body += token
    return body + rest + bytes(pad)


def dht_addr(ip, port):
    return bytes([4]) + socket.inet_aton(ip) + struct.pack(">H", port)


def dht_response(ip, port, rest=b""):
    return struct.pack(">QB", random.getrandbits(64), F_REACH) + \
        dht_addr(ip, port) + os.urandom(8) + rest


# --- tunnel (src/tunnel/wire.h, cookie.c) ---

def mac1(msg, pub):
    key = hashlib.blake2b(b"mesh mac1" + pub, digest_size=32).digest()
    return b2b(msg, key)


def handshake(mtype, length, pub):
    """A handshake message of the right size with a valid mac1 (so the
    receiver gets as far as its Diffie-Hellman or its cookie logic), the
    rest random: nobody's key."""
    body = bytes([mtype, 0, 0, 0]) + os.urandom(length - 36)
    return body + mac1(body, pub) + bytes(16)


# --- raw IPv4/UDP ---

class Spoofer:
    def __init__(self, victim, vport):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                               socket.IPPROTO_RAW)
        self.victim, self.vport = victim, vport
        self.bytes = self.count = 0

    def send(self, payload, ip, port):
        self.s.sendto(ipv4_udp(self.victim, self.vport, ip, port, payload,
                               OWN_TTL), (ip, 0))
        self.bytes += len(payload)
        self.count += 1
        if self.count % 32 == 0:
            time.sleep(0.002)


# --- sniff ---

def sniff(out, me):
    me = socket.inet_aton(me)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    f = open(out, "w", buffering=1)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("ready", flush=True)
    while True:
        pkt, _ = s.recvfrom(70000)
        ihl = (pkt[0] & 15) * 4
        if len(pkt) < ihl + 8:
            continue
        src = socket.inet_ntoa(pkt[12:16])
        if pkt[16:20] != me:
            continue    # broadcast (members' LAN beacons): nobody's answer
        sport, dport, ulen = struct.unpack("!HHH", pkt[ihl:ihl + 6])
        payload = pkt[ihl + 8:ihl + ulen]
        f.write("%.6f %s %d %d %d %d\n" % (
            time.time(), src, sport, dport,
            payload[0] if payload else -1, len(payload)))


# --- attack: every type, spoofed ---

def phases(sp, t, ns, net, members):
    """(name, send function) for every message type toward target t."""
    ip, port, tpk = t["ip"], t["port"], t["pk"]
    own = t.get("sk")           # a member's key to sign with (S)
    out = []

    def add(name, fn, n=20):
        out.append((name, fn, n))

    # tunnel
    add("tunnel-initiation", lambda: sp.send(handshake(1, 152, tpk), ip,
                                             port))
    add("tunnel-initiation-flood", lambda: sp.send(handshake(1, 152, tpk),
                                                   ip, port), 700)
    add("tunnel-response", lambda: sp.send(handshake(2, 96, tpk), ip, port))
    add("tunnel-cookie-reply", lambda: sp.send(
        bytes([3, 0, 0, 0]) + os.urandom(60), ip, port))
    add("tunnel-data", lambda: sp.send(
        bytes([4, 0, 0, 0]) + os.urandom(12 + 64), ip, port))
    add("tunnel-keepalive", lambda: sp.send(
        bytes([4, 0, 0, 0]) + os.urandom(28), ip, port))

    # DHT, each from a fresh key
    def dht(ptype, body):
        sk, pk = fresh_key()
        sp.send(dht_seal(ptype, pk, dht_pair(sk, pk, tpk, ns), body), ip,
                port)

    add("dht-ping-reachable", lambda: dht(PING, dht_request(F_REACH, pad=19)))
    add("dht-ping", lambda: dht(PING, dht_request(0, pad=19)))
    add("dht-find", lambda: dht(FIND, dht_request(F_REACH,
                                                  os.urandom(32))))
    add("dht-find-padded", lambda: dht(FIND, dht_request(
        F_REACH, os.urandom(32), pad=300)))
    add("dht-register", lambda: dht(REGISTER, dht_request(0, pad=19)))
    add("dht-register-token", lambda: dht(REGISTER, dht_request(
        0, pad=19, token=os.urandom(8))))
    for m in members:
        add("dht-relay-to-" + m["name"], lambda m=m: dht(RELAY, dht_request(
            0, m["pk"] + struct.pack(">H", 40) + os.urandom(40))))
    add("dht-relayed", lambda: dht(RELAYED, dht_request(
        0, os.urandom(32) + dht_addr("203.0.113.99", 1000) +
        struct.pack(">H", 40) + os.urandom(40))))
    add("dht-pong", lambda: dht(PONG, dht_response(ip, port)))
    add("dht-nodes", lambda: dht(NODES, dht_response(ip, port, b"\0\0")))
    add("dht-registered", lambda: dht(REGISTERED, dht_response(
        ip, port, b"\0\0\x3c")))
    add("dht-relay-ack", lambda: dht(RELAY_ACK, dht_response(ip, port,
                                                             b"\0")))

    # NAT traversal, from fresh keys
    def natf(body_fn):
        sk, pk = fresh_key()
        sp.send(nat_seal(body_fn(pk), nat_pair(sk, pk, tpk)), ip, port)

    wall = now_ms()
    add("nat-probe", lambda: natf(lambda pk: b"\x20" + pk + os.urandom(8) +
                                 bytes(20)))
    add("nat-ack", lambda: natf(lambda pk: b"\x21" + pk + os.urandom(8) +
                                ep(sp.victim, sp.vport) + b"\0"))
    add("nat-punch", lambda: natf(lambda pk: b"\x22" + pk + os.urandom(8) +
                                  b"\0\1" + ep(sp.victim, sp.vport)))
    add("nat-bind", lambda: natf(lambda pk: b"\x23" + pk + tpk +
                                 nonce8(now_ms())))
    add("nat-bind-cookie", lambda: natf(lambda pk: b"\x23" + pk + tpk +
                                        nonce8(now_ms()) + os.urandom(16)))
    add("nat-bound", lambda: natf(lambda pk: b"\x24" + pk + tpk +
                                  nonce8(wall) + b"\0" +
                                  ep(sp.victim, sp.vport)))
    add("nat-cookie", lambda: natf(lambda pk: b"\x28" + pk + nonce8(wall) +
                                   os.urandom(16)))
    add("nat-predict", lambda: natf(lambda pk: b"\x29" + pk +
                                    os.urandom(8) + bytes(22)))
    # the transport's UDP echo (a member on TCP asking whether UDP works):
    # answered with the same size, never larger
    add("transport-echo", lambda: sp.send(b"\x30" + os.urandom(16), ip,
                                          port))
    add("transport-echo-64", lambda: sp.send(b"\x30" + os.urandom(63), ip,
                                             port))
    add("transport-echo-reply", lambda: sp.send(b"\x31" + os.urandom(16),
                                                ip, port))
    for m in members:
        add("nat-torelay-to-" + m["name"], lambda m=m: sp.send(
            b"\x26" + m["pk"][:8] + os.urandom(80), ip, port))
        add("nat-fromrelay-from-" + m["name"], lambda m=m: sp.send(
            b"\x27" + m["pk"][:8] + bytes([4, 0, 0, 0]) + os.urandom(76),
            ip, port))
    # a member's own key (the member threat, or an on-path replay)
    if own is not None:
        opk = pubkey(own)
        pair = nat_pair(own, opk, tpk)
        add("member-nat-bind-ahead", lambda: sp.send(nat_seal(
            b"\x23" + opk + tpk + nonce8(now_ms() + 60000), pair), ip,
            port))
        add("member-nat-probe", lambda: sp.send(nat_seal(
            b"\x20" + opk + os.urandom(8) + bytes(20), pair), ip, port))
        add("member-nat-ack", lambda: sp.send(nat_seal(
            b"\x21" + opk + os.urandom(8) + ep(sp.victim, sp.vport) +
            b"\0", pair), ip, port))
    # a LAN beacon naming a member, from the victim's (same-subnet)
    # address, as a member beacons (but faster): its probes must be paid
    # for by the beacons
    def beacon(m):
        sp.send(b"\x25" + m["pk"] + netid(ns, net) +
                struct.pack(">H", sp.vport), ip, port)
        time.sleep(0.3)

    for m in members:
        add("nat-beacon-" + m["name"], lambda m=m: beacon(m), 10)
    return out


def dht_id(ns, key):
    return hashlib.blake2b(b"mesh-dht-id" + bytes([len(ns)]) + ns + key,
                           digest_size=32).digest()


def fakedht(ns, ip, port, pub, gfile, victim, vport, secs, out):
    """The fourth finding of issue 10: a fake node in a public node's table
    names a victim as contacts, and as the endpoint of member G it claims
    to serve."""
    need_sodium()
    ns = ns.encode()
    sk, pk = fresh_key()
    pip, pport, pfile = pub.split(":")
    ppk, gpk = b64key(pfile), b64key(gfile)
    gid = dht_id(ns, gpk)
    vport = int(vport)
    vaddr = [dht_addr(victim, vport)]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, int(port)))
    ppair = dht_pair(sk, pk, ppk, ns)
    st = {"start": time.time(), "finds": 0, "finds_g": 0, "pings": 0,
          "pongs": 0, "askers": []}
    end = time.time() + float(secs)
    next_ping = 0
    while time.time() < end:
        if time.time() >= next_ping:
            # padded: room for P's answer and its verification PING
            s.sendto(dht_seal(PING, pk, ppair, dht_request(F_REACH,
                                                           pad=400)),
                     (pip, int(pport)))
            next_ping = time.time() + 5
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        data, src = s.recvfrom(70000)
        o = dht_open(data, sk, pk, ns)
        if o is None:
            continue
        t, sender, body, pair = o
        if t == PONG:
            st["pongs"] += 1
        if t not in (PING, FIND) or len(body) < 17:
            continue
        txid = body[:8]
        flags = body[16]
        off = 17 + (8 if flags & F_TOKEN else 0)
        resp = txid + bytes([F_REACH]) + dht_addr(src[0], src[1]) + \
            os.urandom(8)
        if t == PING:
            st["pings"] += 1
            s.sendto(dht_seal(PONG, pk, pair, resp), src)
            continue
        st["finds"] += 1
        target = body[off:off + 32]
        # contacts at the victim would make it a liar within a few answers
        # (they never answer: dhtproved.c), and its claims ignored; the
        # DHT's side of that is tests/unit/test-dht.c and dht-attack.py.
        # Here it names no contacts, so that its claim about G, which
        # the DHT sends nothing to, keeps reaching the NAT layer.
        rest = bytes([0])
        if target == gid:
            st["finds_g"] += 1
            if src[0] not in st["askers"]:
                st["askers"].append(src[0])
            rest += bytes([1]) + gpk + vaddr[0]
        else:
            rest += bytes([0])
        s.sendto(dht_seal(NODES, pk, pair, resp + rest), src)
    st["end"] = time.time()
    json.dump(st, open(out, "w"))
    print("fake DHT node: %d PONGs, %d PINGs, %d FINDs, %d for G (from "
          "%s)" % (st["pongs"], st["pings"], st["finds"], st["finds_g"],
                   " ".join(st["askers"])))


def fakejudge(sniff_path, fake_path, names):
    """Per source address (a member, or the NAT in front of it): bytes at
    the victim while the fake node ran, headers counted."""
    st = json.load(open(fake_path))
    rows = [r for r in read_sniff(sniff_path)
            if st["start"] <= r[0] < st["end"] + 2]
    name = dict(n.split("=") for n in names)
    by = {}
    for r in rows:
        by.setdefault(r[1], []).append(r)
    bad = []
    for src, got in sorted(by.items()):
        nb = sum(r[5] + 28 for r in got)
        kinds = sorted(set("0x%02x" % r[4] for r in got))
        print("%s from %s (%s): %d datagrams, %d bytes with headers %s" % (
            "ok  " if nb < 1024 else "FAIL", src, name.get(src, "?"),
            len(got), nb, " ".join(kinds)))
        if nb >= 1024:
            bad.append(src)
    print("victim: %d bytes with headers in all while the fake node ran" %
          sum(r[5] + 28 for r in rows))
    if st["finds_g"] == 0:
        print("FAIL: nobody asked the fake node for G")
        return 1
    return 1 if bad else 0


def parse_targets(args):
    ts = []
    for a in args:
        f = a.split(":")
        t = {"name": f[0], "ip": f[1], "port": int(f[2]),
             "pk": b64key(f[3])}
        if len(f) > 4 and f[4]:
            t["sk"] = b64key(f[4])
        ts.append(t)
    return ts


def attack(victim, vport, out, ns, net, mlist, args, settle):
    need_sodium()
    sp = Spoofer(victim, int(vport))
    targets = parse_targets(args)
    members = []
    for kv in mlist.split(","):
        name, path = kv.split("=", 1)
        members.append({"name": name, "pk": b64key(path)})
    res = []
    for t in targets:
        for name, fn, n in phases(sp, t, ns.encode(), net.encode(),
                                  members):
            b0 = sp.bytes
            start = time.time()
            for _ in range(n):
                fn()
            time.sleep(settle)
            res.append({"type": name, "target": t["name"], "start": start,
                        "end": time.time(), "sent": sp.bytes - b0,
                        "count": n})
            print("%-28s -> %-2s %6d bytes in %4d datagrams" % (
                name, t["name"], sp.bytes - b0, n), flush=True)
    json.dump(res, open(out, "w"), indent=1)


def steal(victim, vport, relay, member_sk, reg_sk, ns):
    """The member threat: move our own binding, or a registration, to the
    victim."""
    need_sodium()
    sp = Spoofer(victim, int(vport))
    rip, rport, rpubf = relay.split(":")
    rport, rpk = int(rport), b64key(rpubf)
    sk = b64key(member_sk)
    pk = pubkey(sk)
    pair = nat_pair(sk, pk, rpk)
    for i in range(10):
        for extra in (b"", os.urandom(16)):
            for ahead in (60000, 110000, 1000):
                sp.send(nat_seal(b"\x23" + pk + rpk +
                                 nonce8(now_ms() + ahead + i) + extra,
                                 pair), rip, rport)
        time.sleep(0.05)
    gsk = b64key(reg_sk)
    gpk = pubkey(gsk)
    gpair = dht_pair(gsk, gpk, rpk, ns.encode())
    for i in range(10):
        sp.send(dht_seal(REGISTER, gpk, gpair, dht_request(0, pad=19)),
                rip, rport)
        sp.send(dht_seal(REGISTER, gpk, gpair, dht_request(
            0, pad=19, token=os.urandom(8))), rip, rport)
        time.sleep(0.05)
    print("steal: %d datagrams, %d bytes spoofed from %s:%s to %s:%d" % (
        sp.count, sp.bytes, victim, vport, rip, rport), file=sys.stderr)
    print(sp.bytes)


def read_sniff(path):
    rows = []
    for line in open(path):
        f = line.split()
        if len(f) == 6:
            rows.append((float(f[0]), f[1], int(f[2]), int(f[3]),
                         int(f[4]), int(f[5])))
    return rows


def judge(sniff_path, phases_path):
    rows = read_sniff(sniff_path)
    ph = json.load(open(phases_path))
    bad = []
    for p in ph:
        got = [r for r in rows if p["start"] <= r[0] < p["end"]]
        nb = sum(r[5] for r in got)
        ratio = nb / p["sent"] if p["sent"] else 0
        kinds = sorted(set("0x%02x" % r[4] for r in got))
        ok = nb <= p["sent"]
        print("%s %-28s -> %-2s sent %6d B, victim got %6d B in %3d "
              "datagrams (%.2fx) %s" % ("ok  " if ok else "FAIL", p["type"], p["target"],
                                        p["sent"], nb, len(got), ratio,
                                        " ".join(kinds)))
        if not ok:
            bad.append("%s->%s" % (p["type"], p["target"]))
    total_sent = sum(p["sent"] for p in ph)
    t0, t1 = ph[0]["start"], ph[-1]["end"]
    total = sum(r[5] for r in rows if t0 <= r[0] < t1)
    print("all types: sent %d B, victim got %d B (%.3fx)" % (
        total_sent, total, total / total_sent))
    if bad:
        print("amplified: " + " ".join(bad))
        return 1
    return 0


def relayed(sniff_path, since, sent):
    rows = [r for r in read_sniff(sniff_path) if r[0] >= float(since)]
    bad = [r for r in rows if r[4] in (0x27, 0x18, 0x04)]
    by = {}
    for r in rows:
        by.setdefault((r[1], "0x%02x" % r[4]), [0, 0])
        by[(r[1], "0x%02x" % r[4])][0] += 1
        by[(r[1], "0x%02x" % r[4])][1] += r[5]
    for (src, kind), (n, nb) in sorted(by.items()):
        print("  victim got from %s type %s: %d datagrams, %d bytes" % (
            src, kind, n, nb))
    nb = sum(r[5] for r in rows)
    print("  victim got %d bytes, the thief sent %d" % (nb, int(sent)))
    if nb > int(sent):
        print("FAIL: the victim got more than was sent")
        return 1
    if bad:
        print("FAIL: %d relayed or tunnel datagrams (%d bytes) reached the "
              "victim" % (len(bad), sum(r[5] for r in bad)))
        return 1
    return 0


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 99
    if a[0] == "sniff":
        sniff(a[1], a[2])
    elif a[0] == "attack":
        attack(a[1], a[2], a[3], a[4], a[5], a[6], a[7:],
               float(os.environ.get("ADDRVAL_SETTLE", "1.2")))
    elif a[0] == "steal":
        steal(*a[1:7])
    elif a[0] == "fakedht":
        fakedht(*a[1:10])
    elif a[0] == "fakejudge":
        return fakejudge(a[1], a[2], a[3:])
    elif a[0] == "judge":
        return judge(a[1], a[2])
    elif a[0] == "relayed":
        return relayed(a[1], a[2], a[3])
    else:
        print(__doc__)
        return 99
    return 0


if __name__ == "__main__":
    sys.exit(main())
