#!/usr/bin/env python3
"""UDP helpers for the NAT lab (tests/natlab/natlab.sh).

  udptool.py stun-server A1 A2 [P1 [P2]]
      An RFC 3489 STUN server on two addresses and two ports (four
      sockets) honouring CHANGE-REQUEST, as miniupnpd's ext_perform_stun
      needs. Runs until killed.
  udptool.py stun [--bind PORT] SERVER[:PORT] TEST...
      From one socket, run STUN binding tests against SERVER (default
      port 3478). TEST is one of
        a1p1 a2p1 a1p2 a2p2   plain request to that server socket
        chport chip chboth    request to A1:P1 asking to be answered from
                              the other port / address / both
        echo=HOST:PORT        a datagram to a "udptool.py echo" server,
                              which reports the source it saw
      Prints one line per test: "TEST ip:port" (the mapped address) or
      "TEST none" when no answer came within the timeout.
  udptool.py echo PORT
      Answer every datagram with "seen ip:port" (the sender as observed).
  udptool.py send [--bind PORT] HOST:PORT TEXT
      Send one datagram.
  udptool.py recv PORT [SECS]
      Wait for one datagram; print "TEXT from ip:port"; exit 1 on timeout.

Only the lab's own addresses are ever used: every address comes from the
command line.
"""

import os
import select
import socket
import struct
import sys
import time

MAGIC = 0x2112A442
BIND_REQ = 0x0001
BIND_RESP = 0x0101
A_MAPPED = 0x0001
A_CHANGE = 0x0003
A_SOURCE = 0x0004
A_CHANGED = 0x0005
A_XOR_MAPPED = 0x0020


def hostport(s, default):
    if ":" in s:
        h, p = s.rsplit(":", 1)
        return h, int(p)
    return s, default


def addr_attr(typ, ip, port, xor=None):
    if xor is not None:
        port ^= MAGIC >> 16
        ipn = struct.unpack("!I", socket.inet_aton(ip))[0] ^ MAGIC
        raw = struct.pack("!I", ipn)
    else:
        raw = socket.inet_aton(ip)
    return struct.pack("!HHBBH", typ, 8, 0, 1, port) + raw


def parse_attrs(data):
    attrs = {}
    off = 20
    while off + 4 <= len(data):
        typ, ln = struct.unpack_from("!HH", data, off)
        off += 4
        if off + ln > len(data):
            break
        attrs[typ] = data[off:off + ln]
        off += (ln + 3) & ~3
    return attrs


def decode_addr(val, xor):
    if len(val) != 8 or val[1] != 1:
        return None
    port = struct.unpack("!H", val[2:4])[0]
    ipn = struct.unpack("!I", val[4:8])[0]
    if xor:
        port ^= MAGIC >> 16
        ipn ^= MAGIC
    return "%s:%d" % (socket.inet_ntoa(struct.pack("!I", ipn)), port)


def stun_server(a1, a2, p1=3478, p2=3479):
    socks = {}
    for ai, a in enumerate((a1, a2)):
        for pi, p in enumerate((p1, p2)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((a, p))
            socks[(ai, pi)] = s
    where = {s.fileno(): k for k, s in socks.items()}
    addrs = ((a1, a2), (p1, p2))
    print("stun-server ready on %s,%s ports %d,%d" % (a1, a2, p1, p2),
          flush=True)
    while True:
        r, _, _ = select.select(list(socks.values()), [], [])
        for s in r:
            data, src = s.recvfrom(2048)
            if len(data) < 20:
                continue
            typ, ln, cookie = struct.unpack_from("!HHI", data)
            if typ != BIND_REQ or 20 + ln > len(data):
                continue
            tid = data[8:20]
            flags = 0
            ch = parse_attrs(data[:20 + ln]).get(A_CHANGE)
            if ch is not None and len(ch) == 4:
                flags = struct.unpack("!I", ch)[0]
            ai, pi = where[s.fileno()]
            oa = ai ^ (1 if flags & 4 else 0)
            op = pi ^ (1 if flags & 2 else 0)
            out = socks[(oa, op)]
            body = addr_attr(A_MAPPED, src[0], src[1])
            if cookie == MAGIC:
                body += addr_attr(A_XOR_MAPPED, src[0], src[1], xor=True)
            body += addr_attr(A_SOURCE, addrs[0][oa], addrs[1][op])
            body += addr_attr(A_CHANGED, addrs[0][ai ^ 1], addrs[1][pi ^ 1])
            hdr = struct.pack("!HHI", BIND_RESP, len(body), cookie) + tid
            out.sendto(hdr + body, src)


def stun_client(argv):
    bind = 0
    if len(argv) >= 2 and argv[0] == "--bind":
        bind = int(argv[1])
        argv = argv[2:]
    server, port = hostport(argv[0], 3478)
    tests = argv[1:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", bind))
    # learn the second address and port from a first plain answer
    other = None
    for test in tests:
        flags = 0
        dst = (server, port)
        if test in ("a2p1", "a1p2", "a2p2"):
            if other is None:
                other = query(s, (server, port), 0, want_changed=True)
                if other is None:
                    print("%s none" % test, flush=True)
                    continue
                other = other[1]
            oh, op = other
            dst = {"a2p1": (oh, port), "a1p2": (server, op),
                   "a2p2": (oh, op)}[test]
        elif test == "chport":
            flags = 2
        elif test == "chip":
            flags = 4
        elif test == "chboth":
            flags = 6
        elif test.startswith("echo="):
            print("%s %s" % (test, echo_query(s, hostport(test[5:], 0))),
                  flush=True)
            continue
        elif test != "a1p1":
            sys.exit("unknown test %s" % test)
        got = query(s, dst, flags)
        print("%s %s" % (test, got[0] if got else "none"), flush=True)


def query(s, dst, flags, want_changed=False):
    tid = os.urandom(12)
    req = struct.pack("!HHI", BIND_REQ, 8, MAGIC) + tid + \
        struct.pack("!HHI", A_CHANGE, 4, flags)
    for _ in range(3):
        s.sendto(req, dst)
        end = time.monotonic() + 0.3
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            data, _ = s.recvfrom(2048)
            if len(data) < 20 or data[8:20] != tid:
                continue
            attrs = parse_attrs(data)
            m = None
            if A_XOR_MAPPED in attrs:
                m = decode_addr(attrs[A_XOR_MAPPED], True)
            elif A_MAPPED in attrs:
                m = decode_addr(attrs[A_MAPPED], False)
            ch = None
            if A_CHANGED in attrs:
                c = decode_addr(attrs[A_CHANGED], False)
                if c:
                    ch = hostport(c, 0)
            if want_changed and ch is None:
                return None
            return (m, ch)
    return None


def echo_query(s, dst):
    for _ in range(3):
        s.sendto(b"hello", dst)
        r, _, _ = select.select([s], [], [], 0.3)
        while r:
            data, src = s.recvfrom(2048)
            if src == (dst[0], dst[1]) and data.startswith(b"seen "):
                return data[5:].decode()
            r, _, _ = select.select([s], [], [], 0.3)
    return "none"


def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    print("echo ready on %d" % port, flush=True)
    while True:
        data, src = s.recvfrom(2048)
        s.sendto(("seen %s:%d" % src).encode(), src)


def send(argv):
    bind = 0
    if len(argv) >= 2 and argv[0] == "--bind":
        bind = int(argv[1])
        argv = argv[2:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", bind))
    s.sendto(argv[1].encode(), hostport(argv[0], 0))


def recv(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    print("recv ready on %d" % port, flush=True)
    r, _, _ = select.select([s], [], [], secs)
    if not r:
        print("timeout", flush=True)
        sys.exit(1)
    data, src = s.recvfrom(2048)
    print("%s from %s:%d" % (data.decode(errors="replace"), src[0], src[1]),
          flush=True)


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd, a = a[0], a[1:]
    if cmd == "stun-server" and len(a) >= 2:
        stun_server(a[0], a[1], *(int(x) for x in a[2:4]))
    elif cmd == "stun" and a:
        stun_client(a)
    elif cmd == "echo" and len(a) == 1:
        echo(int(a[0]))
    elif cmd == "send" and len(a) >= 2:
        send(a)
    elif cmd == "recv" and len(a) in (1, 2):
        recv(int(a[0]), float(a[1]) if len(a) > 1 else 3.0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
