#!/usr/bin/env python3
"""Attack a running DHT node over loopback with forged, replayed, truncated
and oversized packets, and check that it answers none of them and that its
state does not change (only its drop counters move).

An independent implementation of the wire format (dht/dhtmsg.h, dht/dht.h)
in Python, with libsodium through ctypes for X25519 and XChaCha20-Poly1305
and hashlib for BLAKE2b.

    dht-attack.py PATH/TO/dht-node

Two nodes are started: B (the victim) and A, which bootstraps from B through
a recording proxy, so that genuine packets between them can be replayed.
Last, a fake node poisons a member's lookups with a victim host's address
(issue 10), with two more nodes: D, and C, the member.
Exit status: 0 pass, 1 fail, 77 skip (no libsodium), 99 error.
"""
import hashlib
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import meshpkt  # noqa: E402
from meshpkt import dht_open, dht_pair, dht_seal, now_ms, pubkey  # noqa: E402

PING, PONG, FIND, NODES, REGISTER, REGISTERED, RELAY, RELAY_ACK, RELAYED = \
    range(0x10, 0x19)
REQUESTS = {PING, FIND, REGISTER, RELAY, RELAYED}
F_REACH, F_TOKEN = 1, 2
WORKBIT = 4
NS = b"public"

failures = []
procs = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


if meshpkt.na is None:
    print("SKIP: libsodium not loadable from Python")
    sys.exit(77)


def workbits(ns, pk):
    h = hashlib.blake2b(ns + pk, digest_size=32).digest()
    n = 0
    for b in h:
        if b == 0:
            n += 8
            continue
        while not b & 0x80:
            b <<= 1
            n += 1
        break
    return n


def make_key(ns=NS, at_least=WORKBIT, below=False):
    while True:
        sk = os.urandom(32)
        pk = pubkey(sk)
        w = workbits(ns, pk)
        if (w < at_least) if below else (w >= at_least):
            return sk, pk


def pair_key(sk, my_pk, peer_pk, ns=NS):
    return dht_pair(sk, my_pk, peer_pk, ns)


def request(txid, flags=0, rest=b"", pad=0, ts=None):
    return struct.pack(">QQB", txid, now_ms() if ts is None else ts,
                       flags) + rest + bytes(pad)


def addr4(port):
    return bytes([4, 127, 0, 0, 1]) + struct.pack(">H", port)


def response(txid, rest=b"", port=1):
    return struct.pack(">QB", txid, F_REACH) + addr4(port) + bytes(8) + rest


def start_node(node, *args):
    p = subprocess.Popen([node, "-w", str(WORKBIT)] + list(args),
                         stdout=subprocess.PIPE, text=True)
    procs.append(p)
    p.events = []
    line = p.stdout.readline().split()
    info = dict(kv.split("=", 1) for kv in line)
    return p, bytes.fromhex(info["key"]), int(info["port"])


def snapshot(p):
    """Ask a node for its state; returns (stats dict, sorted table)."""
    p.send_signal(signal.SIGUSR1)
    stats, table = {}, []
    while True:
        line = p.stdout.readline()
        if not line:
            raise RuntimeError("node exited")
        line = line.strip()
        if line == "end":
            return stats, sorted(table)
        if line.startswith("event "):
            p.events.append(line)
        elif line.startswith("stats "):
            stats = dict(kv.split("=", 1) for kv in line.split()[1:])
            stats = {k: int(v) for k, v in stats.items()}
        elif line.startswith("node ") or line.startswith("client "):
            table.append(line)


def udp(host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


def unseal(pkt, sk, pk, ns=NS):
    """Open a packet sent to key pk: (type, sender key, body) or None."""
    o = dht_open(pkt, sk, pk, ns)
    return o[:3] if o else None


def poisoned_dht(node, bkey, bport):
    """Issue 10, a fake DHT node: F (a valid key) is C's boot contact, as
    if it had got into a public node's table, and answers every FIND with
    20 contacts at a victim host, 127.0.0.77 (20 ports, keys meeting the
    workbit, one of them D's), and claims to serve the key looked up there.
    C also knows B, which knows D; C looks D up. The victim host gets less
    than 1 KB from C (IP and UDP headers counted), C finds D at D's own
    address, and stays alive."""
    try:
        victims = [udp("127.0.0.77") for _ in range(20)]
    except OSError as e:
        print("skip poisoned DHT: cannot bind 127.0.0.77: %s" % e)
        return
    f = udp()
    fport = f.getsockname()[1]
    fsk, fpk = make_key()
    dn, dkey, dport = start_node(node, "-b", "%s@127.0.0.1:%d" %
                                 (bkey.hex(), bport))
    deadline = time.time() + 10
    while snapshot(dn)[0]["table"] < 1 and time.time() < deadline:
        time.sleep(0.2)
    vkeys = [make_key()[1] for _ in range(19)] + [dkey]
    vaddr = [bytes([4, 127, 0, 0, 77]) +
             struct.pack(">H", v.getsockname()[1]) for v in victims]
    contacts = b"".join(k + a for k, a in zip(vkeys, vaddr))
    c, ckey, cport = start_node(
        node, "-b", "%s@127.0.0.1:%d" % (fpk.hex(), fport),
        "-b", "%s@127.0.0.1:%d" % (bkey.hex(), bport), "-l", dkey.hex())
    finds = vbytes = vpkts = 0
    end = time.time() + 8
    while time.time() < end:
        r, _, _ = select.select([f] + victims, [], [], 0.2)
        for s in r:
            data, src = s.recvfrom(70000)
            if s is not f:
                vbytes += len(data) + 28
                vpkts += 1
                continue
            opened = unseal(data, fsk, fpk)
            if opened is None or opened[0] not in (PING, FIND):
                continue
            t, sender, body = opened
            txid = struct.unpack(">Q", body[:8])[0]
            pair = pair_key(fsk, fpk, sender)
            if t == PING:
                f.sendto(dht_seal(PONG, fpk, pair,
                              response(txid, b"", src[1])), src)
                continue
            finds += 1
            rest = bytes([20]) + contacts + bytes([1]) + dkey + vaddr[0]
            f.sendto(dht_seal(NODES, fpk, pair, response(txid, rest, src[1])),
                     src)
    sc, _ = snapshot(c)
    found = [e for e in c.events if e.startswith("event endpoint") and
             "addr=127.0.0.1:%d reachable=1" % dport in e]
    check(finds > 0, "poisoned DHT: the fake answered %d FINDs" % finds)
    check(vbytes < 1024, "poisoned DHT: the victim host got %d bytes in %d "
          "packets from the member (unproved bytes sent %d, refused %d)" %
          (vbytes, vpkts, sc["unproved_bytes"], sc["unproved_refused"]))
    check(len(found) == 1, "poisoned DHT: the member found D itself (%s)" %
          "; ".join(c.events))


def drain(socks, seconds):
    """Everything that arrives on socks within seconds: [(sock, data)]."""
    got, end = [], time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return got
        r, _, _ = select.select(socks, [], [], left)
        for s in r:
            data, _ = s.recvfrom(70000)
            got.append((s, data))


def main(node):
    b, bkey, bport = start_node(node)
    proxy = udp()
    pport = proxy.getsockname()[1]
    a, akey, aport = start_node(node, "-b",
                                "%s@127.0.0.1:%d" % (bkey.hex(), pport))
    baddr, aaddr = ("127.0.0.1", bport), ("127.0.0.1", aport)

    # relay between A and B, recording, until each has the other
    a2b, b2a = [], []
    deadline = time.time() + 20
    while time.time() < deadline:
        r, _, _ = select.select([proxy], [], [], 0.2)
        if r:
            data, src = proxy.recvfrom(70000)
            if src == aaddr:
                a2b.append(data)
                proxy.sendto(data, baddr)
            elif src == baddr:
                b2a.append(data)
                proxy.sendto(data, aaddr)
        if len(a2b) >= 2 and len(b2a) >= 2:
            sa, _ = snapshot(a)
            sb, _ = snapshot(b)
            if sa["table"] >= 1 and sb["table"] >= 1 and \
                    sa["pending"] == 0 and sb["pending"] == 0:
                break
    check(any(p[0] in REQUESTS for p in a2b) and
          any(p[0] not in REQUESTS for p in b2a),
          "recorded genuine requests and responses (%d/%d packets)" %
          (len(a2b), len(b2a)))
    time.sleep(0.3)
    while select.select([proxy], [], [], 0)[0]:
        proxy.recvfrom(70000)
    sb0, tb0 = snapshot(b)
    sa0, ta0 = snapshot(a)
    check(sb0["table"] == 1 and sa0["table"] == 1,
          "A and B know each other before the attack")

    x = udp()
    xport = x.getsockname()[1]
    sent = 0

    def send(data, sock=x, to=baddr):
        nonlocal sent
        sock.sendto(data, to)
        sent += 1
        if sent % 16 == 0:
            time.sleep(0.004)   # do not overflow the node's socket buffer

    req = next(p for p in a2b if p[0] in REQUESTS)
    # 1. replays: A's requests to B from the proxy (A's address at B),
    #    B's packets to A from the proxy (B's address at A)
    for p in a2b:
        send(p, proxy, baddr)
    for p in b2a:
        send(p, proxy, aaddr)
    # 2. every truncation and every single-bit flip of a genuine request
    for n in range(1, len(req)):
        send(req[:n])
    for i in range(len(req)):
        send(req[:i] + bytes([req[i] ^ 0x04]) + req[i + 1:])
    # 3. oversized: a genuine request with junk after it
    for size in (1233, 1500, 9000, 65000):
        send(req + os.urandom(size - len(req)))
    # 4. random junk in the DHT range
    for t in range(0x10, 0x20):
        for size in (1, 57, 73, 200):
            send(bytes([t]) + os.urandom(size - 1))
    # 5. properly sealed by a key of our own, each wrong in one way
    xsk, xpk = make_key()
    pair = pair_key(xsk, xpk, bkey)
    send(dht_seal(PING, xpk, pair, request(1, ts=now_ms() - 600000, pad=19)))
    send(dht_seal(PING, xpk, pair, request(2, ts=now_ms() + 600000, pad=19)))
    other = pair_key(xsk, xpk, bkey, b"other")
    send(dht_seal(PING, xpk, other, request(3, pad=19)))
    lsk, lpk = make_key(below=True)
    send(dht_seal(PING, lpk, pair_key(lsk, lpk, bkey), request(4, pad=19)))
    for t, rest in ((PONG, b""), (NODES, b"\0\0"),
                    (REGISTERED, b"\0\0\x4b"), (RELAY_ACK, b"\0")):
        send(dht_seal(t, xpk, pair, response(0x77, rest, xport)))
    send(dht_seal(PING, xpk, pair, request(5, pad=19)[:-1] + b"\x01"))
    send(dht_seal(NODES, xpk, pair, response(6, b"\x15")))
    send(dht_seal(PING, bkey, pair, request(7, pad=19)))
    send(dht_seal(RELAYED, xpk, pair, request(
        8, F_REACH, xpk + addr4(9) + struct.pack(">H", 2) + b"hi")))
    send(dht_seal(0x1f, xpk, pair, request(9, pad=19)))
    # a valid request, replayed: the first is answered (below), not the copy
    ok = dht_seal(PING, xpk, pair, request(10, pad=19))

    got = drain([x, proxy], 1.5)
    answers = [d for s, d in got if s is x or d[0] not in REQUESTS]
    check(not answers, "no answer to %d bad packets (got %d)" %
          (sent, len(answers)))
    sb1, tb1 = snapshot(b)
    sa1, ta1 = snapshot(a)
    check(tb1 == tb0 and ta1 == ta0, "routing tables unchanged")
    for k in ("replies_out", "requests_in", "pkts_out", "responses_in",
              "clients", "rendezvous", "searches", "pending"):
        check(sb1[k] == sb0[k], "B %s unchanged (%d -> %d)" %
              (k, sb0[k], sb1[k]))
        check(sa1[k] == sa0[k], "A %s unchanged (%d -> %d)" %
              (k, sa0[k], sa1[k]))
    drops = sum(sb1[k] - sb0[k] for k in sb1 if k.startswith("drop_")) + \
        sum(sa1[k] - sa0[k] for k in sa1 if k.startswith("drop_"))
    check(drops == sent, "every bad packet counted as a drop (%d of %d)" %
          (drops, sent))
    for reason in ("replay", "short", "long", "auth", "type", "stale",
                   "workbit", "unsolicited", "decode", "self", "refused"):
        d = sb1["drop_" + reason] - sb0["drop_" + reason]
        check(d > 0, "B counted %d drops as %s" % (d, reason))
    check(sa1["drop_replay"] + sa1["drop_late"] + sa1["drop_unsolicited"] >
          sa0["drop_replay"] + sa0["drop_late"] + sa0["drop_unsolicited"],
          "A refused the replayed packets")

    # 6. address validation (issue 10): requests of every type from fresh
    #    keys, claiming to be reachable, from an address that never proved
    #    it receives (v never answers, as a spoofed victim would not).
    #    What reaches v weighs no more than what was sent from it,
    #    verification pings included.
    v = udp()
    kinds = [(PING, b"", 7), (PING, b"", 19), (PING, b"", 0),
             (FIND, bkey, 0), (FIND, bkey, 958), (REGISTER, b"", 0),
             (REGISTER, b"", 22),
             (RELAY, akey + struct.pack(">H", 5) + b"punch", 0)]
    for k, (t, rest, pad) in enumerate(kinds):
        vsent = 0
        for i in range(15):
            ksk, kpk = make_key()
            pkt = dht_seal(t, kpk, pair_key(ksk, kpk, bkey),
                       request(1000 + 100 * k + i, F_REACH, rest, pad))
            v.sendto(pkt, baddr)
            vsent += len(pkt)
            time.sleep(0.002)
        got = drain([v], 1.0)
        vgot = sum(len(d) for _, d in got)
        check(vgot <= vsent, "unproved address, type 0x%02x (%d bytes): "
              "%d bytes back for %d sent (%d packets)" %
              (t, vsent // 15, vgot, vsent, len(got)))

    # control: the same crafting, done right, is answered once
    send(ok)
    send(ok)
    got = drain([x], 1.5)
    check(len(got) == 1 and got[0][1][0] == PONG and
          got[0][1][1:33] == bkey,
          "a well-formed ping is answered once (%d answers)" % len(got))

    # 7. a poisoned DHT
    poisoned_dht(node, bkey, bport)
    return 0 if not failures else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: dht-attack.py PATH/TO/dht-node", file=sys.stderr)
        sys.exit(99)
    try:
        rc = main(sys.argv[1])
    except Exception as e:  # noqa: BLE001 - report and fail hard
        print("ERROR: %s" % e)
        rc = 99
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
    if failures:
        print("failed: %s" % "; ".join(failures))
    sys.exit(rc)
