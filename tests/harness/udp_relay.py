#!/usr/bin/python3
"""A UDP relay with a delay per direction, for asymmetric paths (the kernel here has no netem;
TESTBED.md §6). Usage:

  udp_relay.py --listen ADDR:PORT --to ADDR:PORT [--listen ... --to ...] \\
               [--delay-out MS] [--delay-back MS] [--seconds N]

Each --listen/--to pair forwards datagrams from clients to the target after delay-out ms and
the target's answers back to the client that asked after delay-back ms. Bounded: it exits
after --seconds (default 300, at most 1800) and holds at most 1000 datagrams in flight."""

import argparse
import heapq
import select
import socket
import sys
import time

MAX_IN_FLIGHT = 1000


def hostport(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", action="append", required=True, type=hostport)
    ap.add_argument("--to", action="append", required=True, type=hostport)
    ap.add_argument("--delay-out", type=float, default=0)
    ap.add_argument("--delay-back", type=float, default=0)
    ap.add_argument("--seconds", type=float, default=300)
    a = ap.parse_args()
    if len(a.listen) != len(a.to) or not 0 < a.seconds <= 1800:
        sys.exit("udp_relay: one --to per --listen, --seconds in (0, 1800]")
    pairs = []   # (front socket, back socket, target, last client)
    for lst, to in zip(a.listen, a.to):
        front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        front.bind(lst)
        back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        back.bind((lst[0], 0))
        pairs.append({"front": front, "back": back, "to": to, "client": None})
    socks = {}
    for p in pairs:
        socks[p["front"].fileno()] = (p, "front")
        socks[p["back"].fileno()] = (p, "back")
    queue = []   # (due, seq, socket, data, address)
    seq = 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, sock, data, addr = heapq.heappop(queue)
            try:
                sock.sendto(data, addr)
            except OSError:
                pass
        timeout = min(queue[0][0] - now if queue else 0.5, end - now, 0.5)
        r, _, _ = select.select([s for s in (x for p in pairs for x in (p["front"], p["back"]))],
                                [], [], max(timeout, 0))
        for s in r:
            p, side = socks[s.fileno()]
            try:
                data, addr = s.recvfrom(2048)
            except OSError:
                continue
            if len(queue) >= MAX_IN_FLIGHT:
                continue
            seq += 1
            if side == "front":
                p["client"] = addr
                heapq.heappush(queue, (time.monotonic() + a.delay_out / 1000, seq, p["back"],
                                       data, p["to"]))
            elif p["client"]:
                heapq.heappush(queue, (time.monotonic() + a.delay_back / 1000, seq,
                                       p["front"], data, p["client"]))


if __name__ == "__main__":
    main()
