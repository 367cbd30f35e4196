"""What the Python attack and lab tools share (tests/natlab/addrval.py,
tests/sim/dht-attack.py, tests/netns/qa-attack.py): libsodium through
ctypes, the DHT's sealing (dht/dhtcrypto.c) and raw IPv4/UDP datagrams.
Import it after putting this file's directory on sys.path."""

import ctypes
import ctypes.util
import hashlib
import os
import random
import socket
import struct
import time


def load_sodium():
    name = ctypes.util.find_library("sodium")
    for cand in ([name] if name else []) + ["libsodium.so.23",
                                            "libsodium.so"]:
        try:
            lib = ctypes.CDLL(cand)
            if lib.sodium_init() < 0:
                return None
            return lib
        except OSError:
            continue
    return None


na = load_sodium()  # None: the caller skips what needs it


def pubkey(sk):
    pk = ctypes.create_string_buffer(32)
    na.crypto_scalarmult_base(pk, sk)
    return pk.raw


def x25519(sk, pk):
    out = ctypes.create_string_buffer(32)
    if na.crypto_scalarmult(out, sk, pk) != 0:
        raise ValueError("low-order point")
    return out.raw


def now_ms():
    return int(time.time() * 1000)


# --- DHT (dht/dhtmsg.h, dht/dhtcrypto.c) ---

def dht_pair(sk, pk, peer, ns):
    """The pair key of our key (sk, pk) and peer's in network ns."""
    lo, hi = sorted([pk, peer])
    return hashlib.blake2b(b"mesh-dht-v1 pair" + bytes([len(ns)]) + ns +
                           lo + hi, digest_size=32,
                           key=x25519(sk, peer)).digest()


def dht_seal(ptype, sender_pk, pair, body):
    nonce = os.urandom(24)
    ad = bytes([ptype]) + sender_pk
    c = ctypes.create_string_buffer(len(body) + 16)
    clen = ctypes.c_ulonglong(0)
    na.crypto_aead_xchacha20poly1305_ietf_encrypt(
        c, ctypes.byref(clen), body, ctypes.c_ulonglong(len(body)), ad,
        ctypes.c_ulonglong(len(ad)), None, nonce, pair)
    return ad + nonce + c.raw[:clen.value]


def dht_open(pkt, sk, pk, ns):
    """(type, sender key, body, pair key) of a packet sealed for key pk,
    or None."""
    if len(pkt) < 1 + 32 + 24 + 16:
        return None
    t, sender, nonce, c = pkt[0], pkt[1:33], pkt[33:57], pkt[57:]
    pair = dht_pair(sk, pk, sender, ns)
    m = ctypes.create_string_buffer(len(c))
    mlen = ctypes.c_ulonglong(0)
    if na.crypto_aead_xchacha20poly1305_ietf_decrypt(
            m, ctypes.byref(mlen), None, c, ctypes.c_ulonglong(len(c)),
            pkt[:33], ctypes.c_ulonglong(33), nonce, pair) != 0:
        return None
    return t, sender, m.raw[:mlen.value], pair


# --- raw IPv4/UDP ---

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(src, sport, dst, dport, payload, ttl):
    """A whole IPv4/UDP datagram (for a raw socket), with TTL ttl: the
    tools mark their own forgeries so that their sniffers can tell."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp),
                      random.getrandbits(16), 0x4000, ttl, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + udp
