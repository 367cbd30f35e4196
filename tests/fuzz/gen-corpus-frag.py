#!/usr/bin/env python3
"""Seeds for fuzz-frag: a capacity byte, then length-prefixed FRAG
messages (frag.h) of well-formed packets in order, out of order, with a
duplicate and with a piece of another id between them."""
import os
import struct
import sys


def pieces(pid, total, n, data):
    base, extra = divmod(total, n)
    out, off = [], 0
    for i in range(n):
        plen = base + (1 if i < extra else 0)
        hdr = bytes([8, i, n, 0]) + struct.pack(">IHHH", pid, total, off,
                                                 plen) + b"\0\0"
        out.append(hdr + data[off:off + plen])
        off += plen
    return out


def framed(cap, msgs):
    out = bytes([cap])
    for m in msgs:
        m = m[:255]
        out += bytes([len(m)]) + m
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "corpus-frag"
    os.makedirs(d, exist_ok=True)
    pkt = bytes(range(256)) * 2
    p3 = pieces(1, 600, 3, pkt * 2)
    p8 = pieces(2, 400, 8, pkt)
    seeds = {
        "inorder": framed(100, p3),
        "reverse": framed(100, p3[::-1]),
        "dup": framed(100, [p3[0], p3[0], p3[2], p3[1]]),
        "other-id": framed(100, [p3[0]] + pieces(9, 600, 3, pkt * 2)[1:2]
                           + p3[1:]),
        "eight": framed(60, p8),
        "short": framed(10, [b"\x08\x00\x02"]),
    }
    for name, blob in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)


main()
