#!/usr/bin/env python3
"""Independent reference for the mesh handshake (noise.c): builds one
initiation message from fixed keys with Python's hashlib/hmac and the
`cryptography` package, following the Noise specification (rev. 34) for
Noise_IK_25519_ChaChaPoly_BLAKE2b with the prologue "mesh v1 tunnel", and
prints it as a C array for test-noise.c. Not run by make check (the output
is checked in); rerun it only if the protocol changes."""
import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

RAW = serialization.Encoding.Raw
PUB = serialization.PublicFormat.Raw
PRIV = serialization.PrivateFormat.Raw
NOENC = serialization.NoEncryption()


def H(data):
    return hashlib.blake2b(data, digest_size=64).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2b).digest()


def HKDF2(ck, ikm):
    prk = HMAC(ck, ikm)
    o1 = HMAC(prk, b"\x01")
    return o1, HMAC(prk, o1 + b"\x02")


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        RAW, PUB)


def dh(priv, pubkey):
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(pubkey))


def mac(key, data):
    return hashlib.blake2b(data, digest_size=16, key=key).digest()


s_i = bytes(range(1, 33))
s_r = bytes(range(101, 133))
e_i = bytes(range(201, 233))
S_r = pub(s_r)
name = b"Noise_IK_25519_ChaChaPoly_BLAKE2b"
h = name + b"\0" * (64 - len(name))
ck = h
h = H(h + b"mesh v1 tunnel")
h = H(h + S_r)                          # <- s
E_i = pub(e_i)
h = H(h + E_i)                          # e
ck, k = HKDF2(ck, dh(e_i, S_r))         # es
c_s = ChaCha20Poly1305(k[:32]).encrypt(b"\0" * 12, pub(s_i), h)   # s
h = H(h + c_s)
ck, k = HKDF2(ck, dh(s_i, S_r))         # ss
ts = (2**62 + 1700000000).to_bytes(8, "big") + (123456789).to_bytes(4, "big")
payload = ts + bytes([0x03, 0, 0, 0])
c_p = ChaCha20Poly1305(k[:32]).encrypt(b"\0" * 12, payload, h)
h = H(h + c_p)
msg = bytes([1, 0, 0, 0]) + (0x11223344).to_bytes(4, "little") + E_i + c_s + c_p
mac1_key = hashlib.blake2b(b"mesh mac1" + S_r, digest_size=32).digest()
msg += mac(mac1_key, msg) + b"\0" * 16
assert len(msg) == 152
for i in range(0, len(msg), 12):
    print("\t" + " ".join("0x%02x," % b for b in msg[i:i + 12]))
