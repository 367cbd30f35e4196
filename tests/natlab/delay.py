#!/usr/bin/env python3
"""Delay frames between pairs of interfaces (a netem stand-in for the NAT
lab: this kernel has no netem and no NFQUEUE).

  delay.py MS IF1:IF2 [IF1:IF2...]

Every frame received on IF1 leaves on IF2 MS milliseconds later, and the
other way round (AF_PACKET sockets with virtio-net headers, so offloaded
checksums and GSO runs pass intact; frames this process sent are
ignored).
Run in the namespace that holds both interfaces; prints "ready" once the
sockets are open. Runs until killed. Only the lab's interfaces, given on
the command line, are touched.
"""

import heapq
import os
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_VNET_HDR = 15


def main():
    delay = float(sys.argv[1]) / 1000.0
    socks = {}
    peer = {}
    for pair in sys.argv[2:]:
        a, b = pair.split(":")
        for ifn in (a, b):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
            # frames come with their virtio-net header (checksum still
            # to be filled in, GSO size) and go out with it unchanged:
            # a UDP datagram with an offloaded checksum, or a GSO run,
            # arrives intact
            s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
            s.bind((ifn, 0))
            s.setblocking(False)
            socks[s.fileno()] = s
        sa = [s for s in socks.values() if s.getsockname()[0] == a][0]
        sb = [s for s in socks.values() if s.getsockname()[0] == b][0]
        peer[sa.fileno()] = sb
        peer[sb.fileno()] = sa
    print("ready", flush=True)
    q = []
    seq = 0
    while True:
        now = time.monotonic()
        timeout = max(0.0, q[0][0] - now) if q else None
        r, _, _ = select.select(list(socks), [], [], timeout)
        now = time.monotonic()
        for fd in r:
            s = socks[fd]
            while True:
                try:
                    data, addr = s.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                seq += 1
                heapq.heappush(q, (now + delay, seq, peer[fd], data))
        while q and q[0][0] <= time.monotonic():
            _, _, out, data = heapq.heappop(q)
            try:
                out.send(data)
            except OSError:
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        os._exit(0)
