#!/usr/bin/env python3
"""Seed corpus for tests/fuzz/fuzz-offload.c: TCP segments of one flow for
GRO (IPv4 and IPv6), TSO super-packets with their virtio-net header, a
packet needing its checksum, and packets to build ICMP errors for.
Usage: gen-corpus-offload.py DIR"""
import hashlib, os, struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def tcp(v6, seq, payload, flags=0x10):
    th = struct.pack("!HHIIBBHHH", 40000, 443, seq, 7, 5 << 4, flags, 65535, 0, 0)
    if v6:
        src, dst = bytes([0xfd] + [1] * 15), bytes([0xfd] + [2] * 15)
        ip = struct.pack("!IHBB", 6 << 28, 20 + len(payload), 6, 64) + src + dst
        ph = src + dst + struct.pack("!IxxxB", 20 + len(payload), 6)
    else:
        src, dst = bytes([10, 42, 0, 1]), bytes([10, 42, 0, 2])
        ip = struct.pack("!BBHHHBBH", 0x45, 0, 40 + len(payload), 0x1234,
                         0x4000, 64, 6, 0) + src + dst
        ip = ip[:10] + struct.pack("!H", 0xffff - csum(ip)) + ip[12:]
        ph = src + dst + struct.pack("!xBH", 6, 20 + len(payload))
    c = 0xffff - csum(ph + th + payload)
    th = th[:16] + struct.pack("!H", c) + th[18:]
    return ip + th + payload

def pi(flags, gso, hdr, size, start, off):
    return struct.pack("!BBHHHH", flags, gso, hdr, size, start, off)

out = []
for v6 in (0, 1):
    segs = [tcp(v6, 1000 + i * 100, bytes([i]) * 100, 0x18 if i == 3 else 0x10)
            for i in range(4)]
    out.append(b"\0" + b"".join(struct.pack("!H", len(s)) + s for s in segs))
    hl = 60 if v6 else 40
    big = tcp(v6, 5000, bytes(range(256)) * 4)
    out.append(b"\1" + pi(1, 4 if v6 else 1, hl, 300, hl - 20, 16) + big)
    out.append(b"\2" + pi(1, 0, 0, 0, hl - 20, 16) + big)
    out.append(b"\3" + struct.pack("!HH", 1280, 1280) + big)
    out.append(b"\3" + struct.pack("!HH", 1000, 100) + big[:200])
os.makedirs(sys.argv[1], exist_ok=True)
for d in out:
    with open(os.path.join(sys.argv[1], hashlib.sha1(d).hexdigest()), "wb") as f:
        f.write(d)
