#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-natmsg (tests/fuzz/corpus-natmsg/): one
valid message of each NAT traversal type and a few broken ones, laid out
by hand from natmsg.h (MAC bytes are arbitrary: the decoder does not check
them). Run from the source tree; the output is checked in."""
import os
import struct

D = "tests/fuzz/corpus-natmsg"
KEY = bytes(range(1, 33))
KEY2 = bytes(range(50, 82))
NONCE = bytes(range(100, 108))
MAC = bytes(range(200, 216))


def ep(a, b, c, d, port):
    return bytes(10) + b"\xff\xff" + bytes([a, b, c, d]) + \
        struct.pack(">H", port)


def write(name, data):
    with open(os.path.join(D, name), "wb") as f:
        f.write(data)


for old in ("relay", "relayed"):
    try:
        os.unlink(os.path.join(D, old))
    except FileNotFoundError:
        pass
write("probe", b"\x20" + KEY + NONCE + bytes(20) + MAC)
write("ack", b"\x21" + KEY + NONCE + ep(203, 0, 113, 10, 40000) + b"\x00"
      + MAC)
write("ack-mapped", b"\x21" + KEY + NONCE + ep(203, 0, 113, 10, 6374) +
      b"\x01" + MAC)
write("ack-port0", b"\x21" + KEY + NONCE + ep(203, 0, 113, 10, 0) +
      b"\x00" + MAC)
eps = ep(192, 0, 2, 2, 6374) + ep(203, 0, 113, 11, 1024) + \
    ep(198, 51, 100, 7, 65535)
write("punch", b"\x22" + KEY + NONCE + b"\x00\x03" + eps + MAC)
write("punch-reply", b"\x22" + KEY + NONCE + b"\x01\x01" + eps[:18] + MAC)
write("punch-badcount", b"\x22" + KEY + NONCE + b"\x00\x09" + eps + MAC)
write("bind", b"\x23" + KEY + KEY2 + NONCE + MAC)
COOKIE = bytes(range(120, 136))
write("bind-cookie", b"\x23" + KEY + KEY2 + NONCE + COOKIE + MAC)
write("bind-cookie-short", b"\x23" + KEY + KEY2 + NONCE + COOKIE[:8] + MAC)
write("cookie", b"\x28" + KEY + NONCE + COOKIE + MAC)
write("bound", b"\x24" + KEY + KEY2 + NONCE + b"\x00" +
      ep(203, 0, 113, 10, 40000) + MAC)
write("bound-badstatus", b"\x24" + KEY + KEY2 + NONCE + b"\x07" +
      ep(203, 0, 113, 10, 40000) + MAC)
write("beacon", b"\x25" + KEY + bytes(range(9, 17)) + b"\x18\xe6")
write("torelay", b"\x26" + KEY[:8] + b"\x04" + bytes(47))
write("fromrelay", b"\x27" + KEY2[:8] + b"\x01" + bytes(151))
write("fromrelay-empty", b"\x27" + KEY2[:8])
write("predict-seq", b"\x29" + KEY + NONCE + b"\x03\x01\x00\x01" +
      ep(203, 0, 113, 10, 20007) + MAC)
write("predict-eim", b"\x29" + KEY + NONCE + b"\x02\x00\x00\x00" +
      ep(203, 0, 113, 11, 6374) + MAC)
write("predict-badpattern", b"\x29" + KEY + NONCE + b"\x03\x07\x00\x01" +
      ep(203, 0, 113, 10, 20007) + MAC)
write("empty", b"")
write("short", b"\x21" + KEY[:10])
write("unknown", b"\x2f" + bytes(40))
