#!/usr/bin/env python3
"""Look at what a relay sees (run in its namespace, as root):

  capture.py IFACE PORT SECONDS HEXPATTERN

captures IPv4 UDP datagrams to or from PORT on IFACE for SECONDS and prints
one line: "udp N torelay T fromrelay F pattern P", where T and F count the
relayed tunnel datagrams (first byte 0x26 / 0x27) and P how many datagrams
carry the byte pattern anywhere (plaintext leaking through the relay)."""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def main():
    iface, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    pattern = bytes.fromhex(sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.2)
    n = to = frm = hits = 0
    end = time.time() + secs
    print("ready", flush=True)
    while time.time() < end:
        try:
            frame = s.recv(65535)
        except socket.timeout:
            continue
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0f) * 4
        if ip[9] != 17 or len(ip) < ihl + 8:
            continue
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        if port not in (sport, dport):
            continue
        payload = ip[ihl + 8:]
        n += 1
        if payload[:1] == b"\x26":
            to += 1
        elif payload[:1] == b"\x27":
            frm += 1
        if pattern in payload:
            hits += 1
    print("udp %d torelay %d fromrelay %d pattern %d" % (n, to, frm, hits),
          flush=True)


main()
