#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-mss (tests/fuzz/corpus-mss/): TCP SYNs
over IPv4 and IPv6 with and without MSS options, a few malformed ones.
Each file is the inner MTU (2 bytes, big-endian), a flags byte (bit 0:
partial checksum), then the packet. Run from the source tree; the output
is checked in."""
import os
import struct

D = "tests/fuzz/corpus-mss"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp(opts, flags=0x02, data=b""):
    opts += b"\0" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    return struct.pack(">HHIIBBHHH", 40000, 443, 0xdeadbeef, 0,
                       doff << 4, flags, 64240, 0, 0) + opts + data


def fix(pseudo, seg):
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack(">H", c) + seg[18:]


def v4(seg, frag=0x4000):
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    pseudo = src + dst + struct.pack(">BBH", 0, 6, len(seg))
    seg = fix(pseudo, seg)
    hdr = struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(seg), 0x1234, frag,
                      64, 6, 0) + src + dst
    hdr = hdr[:10] + struct.pack(">H", csum(hdr)) + hdr[12:]
    return hdr + seg


def v6(seg, ext=b"", nh=6):
    src = b"\xfd" + bytes(14) + b"\x01"
    dst = b"\xfd" + bytes(14) + b"\x02"
    pseudo = src + dst + struct.pack(">IxxxB", len(seg), 6)
    seg = fix(pseudo, seg)
    return struct.pack(">IHBB", 0x60000000, len(ext) + len(seg),
                       nh if ext else 6, 64) + src + dst + ext + seg


def write(name, mtu, pkt, flags=0):
    with open(os.path.join(D, name), "wb") as f:
        f.write(struct.pack(">HB", mtu, flags) + pkt)


MSS = b"\x02\x04\x05\xb4"
LINUX = MSS + b"\x04\x02\x08\x0a" + bytes(8) + b"\x01\x03\x03\x07"
os.makedirs(D, exist_ok=True)
write("syn4-1460", 1400, v4(tcp(MSS)))
write("syn4-linux", 1340, v4(tcp(LINUX)))
write("synack4", 1400, v4(tcp(MSS, 0x12)))
write("syn4-odd", 1400, v4(tcp(b"\x01" + MSS)))
write("syn4-small", 1500, v4(tcp(b"\x02\x04\x05\x00")))
write("syn4-partial", 1400, v4(tcp(MSS)), 1)
write("syn4-nomss", 1400, v4(tcp(b"\x01\x01\x04\x02")))
write("syn4-len0", 1400, v4(tcp(b"\x08\x00" + MSS)))
write("syn4-past", 1400, v4(tcp(b"\x01\x01\x08\x28")))
write("syn4-frag", 1400, v4(tcp(MSS), 0x2000))
write("ack4", 1400, v4(tcp(MSS, 0x10, b"hello")))
write("syn4-trunc", 1400, v4(tcp(LINUX))[:50])
write("syn6-1440", 1400, v6(tcp(b"\x02\x04\x05\xa0")))
write("syn6-hbh", 1400, v6(tcp(LINUX), b"\x06\x00\x01\x04" + bytes(4), 0))
write("syn6-frag", 1400, v6(tcp(MSS), b"\x06\x00\x00\x00" + bytes(4), 44))
write("empty", 1400, b"")
