"""A scripted NTP server in pure Python, for hostile and kiss-o'-death tests.

It is written from RFC 5905 independently of clockwatch's C code, so a bug in our codec cannot
cancel out against the same bug in the fake. Each request is answered according to `fault`:

  none           a correct mode-4 reply, `offset` seconds ahead
  silent         never answers (but the port is bound, so no ICMP error comes back)
  kod-rate, kod-deny, kod-rstr, kod-init
                 kiss-o'-death: LI=3, stratum 0, refid the code, origin echoed
  truncated      the first 40 octets of a correct reply
  wrong-mode     mode 3 instead of 4
  wrong-origin   origin = our transmit + 1
  oversize       a 3000-octet datagram
  bad-extension  header plus 8 octets that are not an extension field
  wrong-version  version 0
  zero-transmit  transmit timestamp 0
  unsync         LI=3, stratum 16
  duplicate      the correct reply, sent twice
  other-port     the correct reply, but sent from another port (must be ignored)
"""

import socket
import struct
import threading
import time

NTP_UNIX_OFFSET = 2208988800


def to_ntp(t):
    sec = int(t) + NTP_UNIX_OFFSET
    frac = int((t - int(t)) * 2**32) & 0xFFFFFFFF
    return ((sec & 0xFFFFFFFF) << 32) | frac


class FakeNTP:
    def __init__(self, fault="none", offset=0.0, addr="127.0.0.1", stratum=2):
        self.fault, self.offset, self.stratum = fault, offset, stratum
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.bind((addr, 0))
        self.sock.settimeout(0.1)
        self.other = socket.socket(fam, socket.SOCK_DGRAM)
        self.other.bind((addr, 0))
        self.addr, self.port = addr, self.sock.getsockname()[1]
        self.requests = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def target(self):
        return ("[%s]:%d" if ":" in self.addr else "%s:%d") % (self.addr, self.port)

    def reply(self, req, rx):
        vn = (req[0] >> 3) & 7
        origin = req[40:48]
        now = time.time() + self.offset
        li, mode, stratum, refid = 0, 4, self.stratum, b"\x7f\x00\x00\x01"
        xmt = to_ntp(now)
        f = self.fault
        if f.startswith("kod-"):
            li, stratum, refid = 3, 0, f[4:].upper().encode()
        if f == "wrong-mode":
            mode = 3
        if f == "wrong-version":
            vn = 0
        if f == "unsync":
            li, stratum = 3, 16
        if f == "wrong-origin":
            origin = struct.pack("!Q", (struct.unpack("!Q", origin)[0] + 1) & (2**64 - 1))
        if f == "zero-transmit":
            xmt = 0
        pkt = struct.pack("!BBbbII4sQ", (li << 6) | (vn << 3) | mode, stratum, 4, -20,
                          0x00000100, 0x00000200, refid, to_ntp(now - 1))
        pkt += origin + struct.pack("!QQ", to_ntp(rx + self.offset), xmt)
        if f == "truncated":
            pkt = pkt[:40]
        elif f == "oversize":
            pkt = pkt + bytes(3000 - len(pkt))
        elif f == "bad-extension":
            pkt = pkt + b"\x00\x01\x00\x0c" + bytes(4)
        return pkt

    def _serve(self):
        deadline = time.monotonic() + 300      # never outlive a test run
        while not self.stopping and time.monotonic() < deadline:
            try:
                req, peer = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            rx = time.time()
            if len(req) < 48 or req[0] & 7 != 3:
                continue
            self.requests += 1
            if self.fault == "silent":
                continue
            pkt = self.reply(req, rx)
            out = self.other if self.fault == "other-port" else self.sock
            out.sendto(pkt, peer)
            if self.fault == "duplicate":
                out.sendto(pkt, peer)

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()
        self.other.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
