#!/usr/bin/env python3
"""Write the seed corpus of fuzz-dhtmsg (see the layouts in dht/dhtmsg.h and
the input format in tests/fuzz/fuzz-dhtmsg.c). Run from the source tree:
    python3 tests/fuzz/gen-corpus-dhtmsg.py tests/fuzz/corpus-dhtmsg
"""
import os
import struct
import sys

PING, PONG, FIND, NODES, REGISTER, REGISTERED, RELAY, RELAY_ACK, RELAYED = \
    range(0x10, 0x19)
F_REACH, F_TOKEN = 1, 2


def addr4(last, port):
    return bytes([4, 198, 51, 100, last]) + struct.pack(">H", port)


def addr6(last, port):
    return bytes([6, 0x20, 0x01, 0x0d, 0xb8] + [0] * 10 + [last]) + \
        struct.pack(">H", port)


def req(txid, flags, rest, token=None, pad=0, ts=0):
    b = struct.pack(">QQB", txid, ts, flags | (F_TOKEN if token else 0))
    if token:
        b += token
    return b + rest + bytes(pad)


def resp(txid, flags, rest, obs=None):
    return struct.pack(">QB", txid, flags) + (obs or addr4(9, 4000)) + \
        bytes(range(8)) + rest


def nodes(n, served=None, v6=False, txid=0):
    b = bytes([n])
    for i in range(n):
        b += bytes([i + 1] * 32) + (addr6 if v6 else addr4)(i + 1, 1000 + i)
    if served:
        b += bytes([1]) + served
    else:
        b += bytes([0])
    return resp(txid, F_REACH, b)


def record(t, body):
    return bytes([t]) + struct.pack(">H", len(body)) + body


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {}
    # decode mode: every type, v4 and v6
    tok = bytes([7] * 8)
    seeds["dec-ping"] = bytes([0, PING]) + req(1, F_REACH, b"", pad=19)
    seeds["dec-ping-token"] = bytes([0, PING]) + req(1, 0, b"", tok)
    seeds["dec-find"] = bytes([0, FIND]) + req(2, F_REACH, bytes(32), tok, 3)
    seeds["dec-register"] = bytes([0, REGISTER]) + req(3, 0, b"", pad=22)
    seeds["dec-relay"] = bytes([0, RELAY]) + \
        req(4, 0, bytes([5] * 32) + struct.pack(">H", 3) + b"abc")
    seeds["dec-relayed"] = bytes([0, RELAYED]) + \
        req(5, F_REACH, bytes([5] * 32) + addr6(1, 80) +
            struct.pack(">H", 2) + b"hi")
    seeds["dec-pong"] = bytes([0, PONG]) + resp(6, F_REACH, b"")
    seeds["dec-pong6"] = bytes([0, PONG]) + resp(6, 0, b"", addr6(3, 9))
    seeds["dec-nodes"] = bytes([0, NODES]) + nodes(20, bytes([9] * 32) +
                                                    addr4(7, 7))
    seeds["dec-nodes6"] = bytes([0, NODES]) + nodes(20, None, True)
    seeds["dec-registered"] = bytes([0, REGISTERED]) + \
        resp(7, F_REACH, bytes([0]) + struct.pack(">H", 75))
    seeds["dec-relay-ack"] = bytes([0, RELAY_ACK]) + resp(8, 0, bytes([4]))
    seeds["dec-bad-count"] = bytes([0, NODES]) + resp(9, 0, bytes([21]))
    seeds["hdr-short"] = bytes([0x10]) + bytes(40)
    seeds["hdr-full"] = bytes([0x12]) + bytes(100)

    # session mode
    served = bytes([0x33] * 32) + addr4(77, 7777)
    seeds["ses-reachable"] = bytes([1]) + \
        record(NODES, nodes(3)) + \
        record(PING, req(11, F_REACH, b"", pad=19)) + \
        record(PING, req(11, F_REACH, b"", pad=19)) + \
        record(FIND, req(12, F_REACH, bytes([0x44] * 32), pad=900)) + \
        record(REGISTER, req(13, 0, b"", pad=22)) + \
        record(RELAY, req(14, 0, bytes([0x33] * 32) +
                          struct.pack(">H", 4) + b"ping")) + \
        record(RELAYED, req(15, F_REACH, bytes([0x33] * 32) + addr4(1, 1) +
                            struct.pack(">H", 1) + b"x")) + \
        record(PONG, resp(0, F_REACH, b""))
    seeds["ses-nat"] = bytes([3]) + \
        record(NODES, nodes(2)) + \
        record(REGISTERED, resp(0, F_REACH, bytes([1]) +
                                struct.pack(">H", 0))) + \
        record(REGISTERED, resp(0, F_REACH, bytes([0]) +
                                struct.pack(">H", 75))) + \
        record(RELAYED, req(21, F_REACH, bytes([0x33] * 32) + addr4(1, 1) +
                            struct.pack(">H", 5) + b"punch"))
    seeds["ses-search"] = bytes([5]) + \
        record(NODES, nodes(1)) + \
        record(NODES, nodes(4, served)) + \
        record(NODES, nodes(0, served))
    seeds["ses-relay"] = bytes([9]) + \
        record(RELAY_ACK, resp(0, F_REACH, bytes([0]))) + \
        record(RELAY_ACK, resp(0, F_REACH, bytes([4])))
    seeds["ses-raw"] = bytes([17]) + \
        record(0x80 | 0x12, bytes([0x12]) + bytes(120)) + \
        record(0x81, bytes([0x11]) + bytes(10)) + \
        record(PING, req(31, 0, b"")) + \
        record(PONG, resp(999, 0, b""))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpus-dhtmsg")
