#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-wire (tests/fuzz/corpus-wire/): valid and
invalid tunnel messages for the harness's fixed identities (private keys
32 x 0x41 and 32 x 0x42), built independently of the C code with hashlib
and the `cryptography` package. Run from the source tree; the output is
checked in, so make check does not need Python."""
import hashlib
import hmac
import os
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import (
    ChaCha20Poly1305)
from cryptography.hazmat.primitives import serialization


def H(data):
    return hashlib.blake2b(data, digest_size=64).digest()


def HKDF2(ck, ikm):
    prk = hmac.new(ck, ikm, hashlib.blake2b).digest()
    o1 = hmac.new(prk, b"\x01", hashlib.blake2b).digest()
    return o1, hmac.new(prk, o1 + b"\x02", hashlib.blake2b).digest()


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def dh(priv, pubkey):
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(pubkey))


def mac1(receiver_pub, msg):
    key = hashlib.blake2b(b"mesh mac1" + receiver_pub, digest_size=32).digest()
    return hashlib.blake2b(msg, digest_size=16, key=key).digest()


def aead(k, pt, ad):
    return ChaCha20Poly1305(k[:32]).encrypt(b"\0" * 12, pt, ad)


A = bytes([0x41] * 32)
B = bytes([0x42] * 32)
PA, PB = pub(A), pub(B)
WALL = 1700000000 + 1000          # later than the harness's own handshakes


def initiation(e, secs, offer=3, sender=0x01020304):
    name = b"Noise_IK_25519_ChaChaPoly_BLAKE2b"
    h = name + b"\0" * (64 - len(name))
    ck = h
    h = H(h + b"mesh v1 tunnel")
    h = H(h + PB)
    E = pub(e)
    h = H(h + E)
    ck, k = HKDF2(ck, dh(e, PB))
    cs = aead(k, PA, h)
    h = H(h + cs)
    ck, k = HKDF2(ck, dh(A, PB))
    ts = (2**62 + secs).to_bytes(8, "big") + (0).to_bytes(4, "big")
    cp = aead(k, ts + bytes([offer, 0, 0, 0]), h)
    m = bytes([1, 0, 0, 0]) + sender.to_bytes(4, "little") + E + cs + cp
    return m + mac1(PB, m) + bytes(16)


def response():
    m = bytes([2, 0, 0, 0]) + (7).to_bytes(4, "little") + \
        (9).to_bytes(4, "little") + pub(bytes([0x55] * 32)) + bytes(20)
    return m + mac1(PA, m) + bytes(16)


out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus-wire"
os.makedirs(out, exist_ok=True)
init = initiation(bytes([0x33] * 32), WALL)
samples = {
    "initiation-valid": init,
    "initiation-no-chacha-offer": initiation(bytes([0x34] * 32), WALL + 1, 2),
    "initiation-zero-offer": initiation(bytes([0x35] * 32), WALL + 2, 0),
    "initiation-chacha-only": initiation(bytes([0x37] * 32), WALL + 3, 1),
    "initiation-old-timestamp": initiation(bytes([0x36] * 32), 1000),
    "initiation-bad-mac1": init[:-32] + bytes(32),
    "initiation-short": init[:-1],
    "initiation-long": init + b"\0",
    "initiation-reserved": init[:1] + b"\1" + init[2:],
    "response-shape": response(),
    "response-short": response()[:95],
    "cookie-reply": bytes([3, 0, 0, 0]) + (5).to_bytes(4, "little") +
    bytes(range(24)) + bytes(32),
    "cookie-reply-long": bytes([3, 0, 0, 0]) + bytes(61),
    "data-keepalive": bytes([4, 0, 0, 0]) + bytes(28),
    "data-1400": bytes([4, 0, 0, 0, 1, 2, 3, 4]) +
    (10).to_bytes(8, "little") + bytes(range(256)) * 5 + bytes(136),
    "data-counter-max": bytes([4, 0, 0, 0, 1, 2, 3, 4]) + b"\xff" * 8 +
    bytes(64),
    "data-short": bytes([4, 0, 0, 0]) + bytes(27),
    "data-reserved": bytes([4, 0, 9, 0]) + bytes(60),
    "empty": b"",
    "one-byte": b"\4",
    "dht-type": bytes([0x10]) + bytes(99),
    "nat-type": bytes([0x21]) + bytes(40),
    "zero-type": bytes(152),
}
for name, data in samples.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
