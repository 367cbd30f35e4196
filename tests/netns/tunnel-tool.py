#!/usr/bin/env python3
"""Traffic and inspection helpers for the tunnel namespace tests.

  show SOCKET                     print the daemon's show reply
  recv ADDR PORT SECONDS          count numbered datagrams until SECONDS of
                                  silence (after the first); print
                                  "received N unique U duplicates D sources S"
  send SRC DST PORT COUNT PPS     send COUNT numbered datagrams from SRC (an
                                  address of this host) at PPS per second
  attack IFACE DPORT SECONDS      capture tunnel datagrams to DPORT on IFACE
                                  for SECONDS while sending, from this host's
                                  own socket, to their destination: replays,
                                  truncations, bit flips, random bytes and
                                  random first bytes; print what was sent
"""
import os
import random
import socket
import struct
import sys
import time


def show(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b"mesh-ctl=1\ncmd=show\n\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    sys.stdout.write(out.decode())


def recv(addr, port, seconds):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    print("ready", flush=True)
    seen, dups, total, sources = set(), 0, 0, set()
    s.settimeout(30)      # wait for the first datagram
    while True:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            break
        s.settimeout(seconds)
        total += 1
        sources.add(src[0])
        (seq,) = struct.unpack("!Q", data[:8])
        if seq in seen:
            dups += 1
        seen.add(seq)
    print("received %d unique %d duplicates %d sources %s" %
          (total, len(seen), dups, ",".join(sorted(sources))), flush=True)


def send(src, dst, port, count, pps):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    gap = 1.0 / pps
    t0 = time.monotonic()
    for i in range(count):
        s.sendto(struct.pack("!Q", i) + b"x" * 200, (dst, port))
        delay = t0 + (i + 1) * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def attack(iface, dport, seconds):
    # ETH_P_ALL: only such taps see outgoing packets too.
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                        socket.htons(0x0003))
    cap.bind((iface, 0x0003))
    cap.settimeout(0.05)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rnd = random.Random(os.getpid())
    sent = {"replay": 0, "truncated": 0, "flipped": 0, "random": 0,
            "type": 0}
    captured = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            pkt = cap.recv(65535)
        except socket.timeout:
            pkt = None
        if pkt and len(pkt) >= 28 and pkt[0] >> 4 == 4 and pkt[9] == 17:
            ihl = (pkt[0] & 15) * 4
            dst = socket.inet_ntoa(pkt[16:20])
            (port,) = struct.unpack("!H", pkt[ihl + 2:ihl + 4])
            if port == dport:
                payload = pkt[ihl + 8:]
                if len(captured) < 2000:
                    captured.append((dst, payload))
        if not captured:
            continue
        dst, p = rnd.choice(captured)
        to = (dst, dport)
        out.sendto(p, to)
        sent["replay"] += 1
        if len(p) > 1:
            out.sendto(p[:rnd.randrange(1, len(p))], to)
            sent["truncated"] += 1
        q = bytearray(p)
        q[rnd.randrange(len(q))] ^= 1 << rnd.randrange(8)
        out.sendto(bytes(q), to)
        sent["flipped"] += 1
        r = bytearray(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 200)))
        r[0] = rnd.choice([1, 2, 3, 4])
        out.sendto(bytes(r), to)
        sent["random"] += 1
        r[0] = rnd.randrange(256)
        out.sendto(bytes(r), to)
        sent["type"] += 1
    print(" ".join("%s %d" % kv for kv in sorted(sent.items())), flush=True)


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "show":
        show(a[0])
    elif cmd == "recv":
        recv(a[0], int(a[1]), float(a[2]))
    elif cmd == "send":
        send(a[0], a[1], int(a[2]), int(a[3]), float(a[4]))
    elif cmd == "attack":
        attack(a[0], int(a[1]), float(a[2]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
