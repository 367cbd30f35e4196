#!/usr/bin/env python3
# Independent attacker and traffic checker for tests/netns/qa-tunnel-attack.sh
# (written apart from tunnel-junk.sh and tunnel-tool.py, from wire.h alone).
#
#   attack IFACE MYIP PEERIP PORT STRANGER SECONDS OUT
#	capture this member's tunnel datagrams on IFACE (AF_PACKET), then
#	send at PEERIP:PORT, spoofed from this member's own endpoint
#	(MYIP:PORT, raw IPv4) and from STRANGER: replays (recent, old,
#	handshakes), truncations, bit flips, forged counters, extended
#	messages, random bytes of every type, right-sized messages with a
#	real receiver index, an initiation flood and oversized datagrams.
#	Writes what it sent as JSON to OUT.
#   udprecv ADDR PORT IDLE OUT	numbered datagrams: counts good, duplicate
#				and corrupt ones; stops IDLE s after the last
#   udpsend ADDR PORT COUNT PPS	numbered, authenticated datagrams
#   tcprecv ADDR PORT OUT	a pseudo-random stream, checked byte for byte
#   tcpsend ADDR PORT BYTES SECONDS
#   tunsniff IFACE SECONDS OUT PEER ME PEER6
#				every packet the daemon writes into its TUN:
#				anything but the test's flows from PEER (and
#				ICMPv6 from PEER6) is "unexpected"
import hashlib
import json
import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from meshpkt import ipv4_udp  # noqa: E402

SECRET = b"qa-attack"
ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
OWN_TTL = 63	# marks the attacker's own spoofed datagrams


def tag(seq):
    return hashlib.sha256(SECRET + struct.pack("<Q", seq)).digest()[:24]


def stream_block(i):
    return hashlib.sha256(SECRET + b"tcp" + struct.pack("<Q", i)).digest() * 32


def parse_ipv4_udp(pkt):
    if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != 17:
        return None
    ihl = (pkt[0] & 15) * 4
    src = socket.inet_ntoa(pkt[12:16])
    dst = socket.inet_ntoa(pkt[16:20])
    sport, dport, ulen = struct.unpack("!HHH", pkt[ihl:ihl + 6])
    return src, sport, dst, dport, pkt[ihl + 8:ihl + ulen]


def attack(iface, myip, peerip, port, stranger, seconds, out):
    port = int(port)
    seconds = float(seconds)
    # outgoing packets reach only ETH_P_ALL taps
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                        socket.htons(ETH_P_ALL))
    cap.bind((iface, ETH_P_ALL))
    cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    cap.setblocking(False)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    strange = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    strange.bind((stranger, 0))
    strange.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    sport_stranger = strange.getsockname()[1]

    data, inits, resps, cookies, idx = [], [], [], [], set()
    sent = {}
    rnd = random.Random(4242)

    def grab():
        while True:
            try:
                pkt, addr = cap.recvfrom(70000)
            except BlockingIOError:
                return
            p = parse_ipv4_udp(pkt) if addr[1] == ETH_P_IP else None
            if p is None or pkt[8] == OWN_TTL:	# not our own forgeries
                continue
            src, sp, dst, dp, pl = p
            if src != myip or sp != port or dst != peerip or dp != port:
                continue
            if not pl:
                continue
            if pl[0] == 4 and len(pl) >= 32:
                data.append(pl)
                idx.add(pl[4:8])
                if len(data) > 20000:
                    del data[1000:2000]	# keep the oldest 1000
            elif pl[0] == 1 and len(pl) == 152:
                inits.append(pl)
            elif pl[0] == 2 and len(pl) == 96:
                resps.append(pl)
                idx.add(pl[8:12])
            elif pl[0] == 3:
                cookies.append(pl)

    def send(kind, payload, spoof=True):
        sent[kind] = sent.get(kind, 0) + 1
        try:
            if spoof and len(payload) <= 1472:
                raw.sendto(ipv4_udp(myip, port, peerip, port, payload,
                                    OWN_TTL), (peerip, 0))
            else:
                strange.sendto(payload, (peerip, port))
        except OSError as e:
            sent["send_error_" + str(e.errno)] = \
                sent.get("send_error_" + str(e.errno), 0) + 1

    t0 = time.monotonic()
    # watch the first handshake and some traffic first
    while time.monotonic() - t0 < min(2.0, seconds / 4):
        grab()
        time.sleep(0.005)
    flood_at = t0 + seconds * 0.6
    flooded = False
    rounds = 0
    while time.monotonic() - t0 < seconds:
        grab()
        rounds += 1
        spoof = rounds % 3 != 0	# two thirds from the member's endpoint
        if data:
            recent = data[-64:]
            for pl in recent[-16:]:
                send("replay_recent", pl, spoof)
            for _ in range(8):
                send("replay_old", data[rnd.randrange(min(len(data), 1000))],
                     spoof)
            for _ in range(8):
                pl = rnd.choice(recent)
                send("truncated", pl[:rnd.randrange(len(pl))], spoof)
            for _ in range(8):
                pl = bytearray(rnd.choice(recent))
                bit = rnd.randrange(len(pl) * 8)
                pl[bit // 8] ^= 1 << (bit % 8)
                send("bitflip", bytes(pl), spoof)
            for c in (struct.unpack("<Q", recent[-1][8:16])[0] + 1,
                      struct.unpack("<Q", recent[-1][8:16])[0] + 5000,
                      1 << 63, (1 << 64) - 1, (1 << 64) - 8192):
                pl = bytearray(recent[-1])
                pl[8:16] = struct.pack("<Q", c)
                send("forged_counter", bytes(pl), spoof)
            pl = rnd.choice(recent)
            send("extended", pl + os.urandom(rnd.randrange(1, 64)), spoof)
            # right-sized, real receiver index, random contents
            for ix in list(idx)[:8]:
                send("forged_data_idx", b"\x04\0\0\0" + ix +
                     os.urandom(8 + 16 * rnd.randrange(1, 40)), spoof)
                send("forged_cookie_idx", b"\x03\0\0\0" + ix +
                     os.urandom(56), spoof)
                send("forged_response_idx", b"\x02\0\0\0" +
                     os.urandom(4) + ix + os.urandom(84), spoof)
        for pl in (inits[-4:] + resps[-4:]):
            send("replay_handshake", pl, spoof)
        for pl in cookies[-2:]:
            send("replay_cookie", pl, spoof)
        for _ in range(16):
            t = rnd.randrange(256)
            n = rnd.choice((0, 1, 2, 3, 4, 15, 16, 31, 32, 33, 64, 96, 151,
                            152, 153, rnd.randrange(1, 1400)))
            send("random", bytes([t]) + os.urandom(n) if n else b"", spoof)
        for t, n in ((1, 152), (2, 96), (3, 64), (4, 32), (4, 1200)):
            send("random_sized", bytes([t]) + b"\0\0\0" + os.urandom(n - 4),
                 spoof)
        if rounds % 20 == 0:
            for n in (1473, 9000, 65507):
                send("oversized", b"\x04\0\0\0" + os.urandom(n - 4), False)
        if not flooded and time.monotonic() >= flood_at:
            # one second of random initiations: the responder goes under
            # load; the running session and its rekeys must survive
            flooded = True
            t1 = time.monotonic()
            while time.monotonic() - t1 < 1.0:
                for _ in range(50):
                    send("init_flood", b"\x01\0\0\0" + os.urandom(148),
                         rnd.random() < 0.5)
                time.sleep(0.002)
        time.sleep(0.01)
    res = {"sent": sent, "captured": {"data": len(data), "init": len(inits),
           "resp": len(resps), "cookie": len(cookies),
           "indices": len(idx)}, "stranger_port": sport_stranger}
    with open(out, "w") as f:
        json.dump(res, f)


def udprecv(addr, port, idle, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, int(port)))
    print("ready", flush=True)
    seen = set()
    good = dup = bad = 0
    s.settimeout(60)
    first = True
    while True:
        try:
            b, frm = s.recvfrom(70000)
        except socket.timeout:
            break
        if first:
            s.settimeout(float(idle))
            first = False
        if len(b) < 32 or b[8:32] != tag(struct.unpack("<Q", b[:8])[0]):
            bad += 1
            continue
        seq = struct.unpack("<Q", b[:8])[0]
        if b[32:] != bytes((seq + i) & 255 for i in range(len(b) - 32)):
            bad += 1
        elif seq in seen:
            dup += 1
        else:
            seen.add(seq)
            good += 1
    with open(out, "w") as f:
        json.dump({"good": good, "dup": dup, "bad": bad,
                   "max": max(seen) if seen else -1}, f)


def udpsend(addr, port, count, pps):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    count, pps = int(count), float(pps)
    t0 = time.monotonic()
    for seq in range(count):
        n = 32 + (seq * 37) % 1200
        b = struct.pack("<Q", seq) + tag(seq) + \
            bytes((seq + i) & 255 for i in range(n - 32))
        s.sendto(b, (addr, int(port)))
        delay = t0 + (seq + 1) / pps - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def tcprecv(addr, port, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    print("ready", flush=True)
    ls.settimeout(60)
    c, _ = ls.accept()
    c.settimeout(30)
    got = 0
    ok = True
    blk = 0
    want = stream_block(0)
    pos = 0
    err = None
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            i = 0
            while i < len(b):
                n = min(len(b) - i, len(want) - pos)
                if b[i:i + n] != want[pos:pos + n]:
                    ok = False
                    err = "mismatch at byte %d" % (got + i)
                    break
                i += n
                pos += n
                if pos == len(want):
                    blk += 1
                    want = stream_block(blk)
                    pos = 0
            got += len(b)
            if not ok:
                break
    except socket.timeout:
        err = "timeout after %d bytes" % got
    with open(out, "w") as f:
        json.dump({"bytes": got, "ok": ok and err is None, "err": err}, f)


def tcpsend(addr, port, nbytes, seconds):
    nbytes, seconds = int(nbytes), float(seconds)
    s = socket.create_connection((addr, int(port)), timeout=30)
    sent = 0
    blk = 0
    t0 = time.monotonic()
    while sent < nbytes:
        b = stream_block(blk)[:nbytes - sent]
        s.sendall(b)
        sent += len(b)
        blk += 1
        delay = t0 + seconds * sent / nbytes - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    s.close()


def tunsniff(iface, seconds, out, peer, me, peer6):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
    s.settimeout(0.2)
    print("ready", flush=True)
    t0 = time.monotonic()
    counts = {"udp_flow": 0, "tcp_flow": 0, "icmp": 0, "ipv6_icmp": 0}
    unexpected = []
    while time.monotonic() - t0 < float(seconds):
        try:
            pkt, addr = s.recvfrom(70000)
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING or not pkt:
            continue
        v = pkt[0] >> 4
        if v == 4 and len(pkt) >= 20:
            src = socket.inet_ntoa(pkt[12:16])
            dst = socket.inet_ntoa(pkt[16:20])
            proto = pkt[9]
            ihl = (pkt[0] & 15) * 4
            if src == peer and dst == me:
                ports = struct.unpack("!HH", pkt[ihl:ihl + 4]) \
                    if len(pkt) >= ihl + 4 else (0, 0)
                if proto == 17 and ports[1] == 9000:
                    counts["udp_flow"] += 1
                    continue
                if proto == 6 and 9001 in ports:
                    counts["tcp_flow"] += 1
                    continue
                if proto == 1:
                    counts["icmp"] += 1
                    continue
            unexpected.append("ipv4 %s -> %s proto %d len %d" %
                              (src, dst, proto, len(pkt)))
        elif v == 6 and len(pkt) >= 40 and pkt[6] == 58 and \
                pkt[8:24] == socket.inet_pton(socket.AF_INET6, peer6):
            counts["ipv6_icmp"] += 1
        else:
            unexpected.append("version %d len %d: %s" %
                              (v, len(pkt), pkt[:24].hex()))
    with open(out, "w") as f:
        json.dump({"counts": counts, "unexpected": unexpected[:20],
                   "n_unexpected": len(unexpected)}, f)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"attack": attack, "udprecv": udprecv, "udpsend": udpsend,
     "tcprecv": tcprecv, "tcpsend": tcpsend,
     "tunsniff": tunsniff}[cmd](*args)


if __name__ == "__main__":
    main()
