"""A stand-in for systemd-timesyncd's D-Bus side, for the cases a real timesyncd never produces.

Owns org.freedesktop.timesync1 on the bus named by DBUS_SYSTEM_BUS_ADDRESS and answers
org.freedesktop.DBus.Properties.GetAll/Get on /org/freedesktop/timesync1 with the properties of
PROTOCOLS.md §4.2, as timesyncd 252 sends them, or broken in one way chosen by MODE:

  good         well-formed values (a server 15 s ahead, Frequency 10 ppm scaled)
  no_server    what timesyncd publishes before it has a server: "", (0, []), all-zero message
  short_refid  NTPMessage's Reference has 3 octets
  wrong_sig    NTPMessage is (uuuuittayttttbt): the last field missing
  wrong_type   ServerName is an int32
  bad_family   ServerAddress is AF_INET with 16 octets
  missing      no NTPMessage property
  not_dict     GetAll answers a string
  huge_list    SystemNTPServers has 40 names, one of 300 characters
  hang         owns the name and never answers anything

Usage: /usr/bin/python3 fake_timesyncd_bus.py MODE MAX_SECONDS (needs python3-dbus, python3-gi).
Exits after MAX_SECONDS at the latest. Prints "ready" once the name is owned.
"""

import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.timesync1"
PATH = "/org/freedesktop/timesync1"
IFACE = "org.freedesktop.timesync1.Manager"
PROPS = "org.freedesktop.DBus.Properties"

T1_US = 1795308173167328        # a time seen from the real timesyncd (TESTBED.md §7)


def ntp_message(mode):
    if mode == "no_server":
        return dbus.Struct([dbus.UInt32(0)] * 4 + [dbus.Int32(0), dbus.UInt64(0), dbus.UInt64(0),
                            dbus.Array([dbus.Byte(0)] * 4, signature="y")] +
                           [dbus.UInt64(0)] * 4 + [dbus.Boolean(False), dbus.UInt64(0),
                                                   dbus.UInt64(0)], signature="uuuuittayttttbtt")
    ref = [127, 127, 1] if mode == "short_refid" else [127, 127, 1, 1]
    fields = [dbus.UInt32(0), dbus.UInt32(4), dbus.UInt32(4), dbus.UInt32(3), dbus.Int32(-25),
              dbus.UInt64(15258), dbus.UInt64(2500),
              dbus.Array([dbus.Byte(b) for b in ref], signature="y"),
              dbus.UInt64(T1_US), dbus.UInt64(T1_US + 15000100), dbus.UInt64(T1_US + 15000150),
              dbus.UInt64(T1_US + 300), dbus.Boolean(False), dbus.UInt64(7), dbus.UInt64(1500)]
    sig = "uuuuittayttttbtt"
    if mode == "wrong_sig":
        fields, sig = fields[:-1], sig[:-1]
    return dbus.Struct(fields, signature=sig)


def servers(names):
    return dbus.Array([dbus.String(n) for n in names], signature="s")


def properties(mode):
    system = ["127.0.0.1"]
    if mode == "huge_list":
        system = ["s%d.example.test" % i for i in range(39)] + ["x" * 300]
    p = {
        "LinkNTPServers": servers([]),
        "SystemNTPServers": servers(system),
        "RuntimeNTPServers": servers([]),
        "FallbackNTPServers": servers(["0.debian.pool.ntp.org"]),
        "ServerName": dbus.Int32(7) if mode == "wrong_type" else dbus.String("127.0.0.1"),
        "ServerAddress": dbus.Struct(
            [dbus.Int32(2), dbus.Array([dbus.Byte(b) for b in
                                        ([0] * 16 if mode == "bad_family" else [127, 0, 0, 1])],
                                       signature="y")], signature="iay"),
        "RootDistanceMaxUSec": dbus.UInt64(5000000),
        "PollIntervalMinUSec": dbus.UInt64(16000000),
        "PollIntervalMaxUSec": dbus.UInt64(32000000),
        "PollIntervalUSec": dbus.UInt64(32000000),
        "NTPMessage": ntp_message(mode),
        "Frequency": dbus.Int64(655360),
    }
    if mode == "missing":
        del p["NTPMessage"]
    if mode == "no_server":
        p["ServerName"] = dbus.String("")
        p["ServerAddress"] = dbus.Struct([dbus.Int32(0), dbus.Array([], signature="y")],
                                         signature="iay")
        p["PollIntervalUSec"] = dbus.UInt64(0)
        p["Frequency"] = dbus.Int64(0)
    return p


class Manager(dbus.service.Object):
    def __init__(self, bus, mode):
        super().__init__(bus, PATH)
        self.mode = mode

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        if interface != IFACE:
            return dbus.Dictionary({}, signature="sv")
        return dbus.Dictionary(properties(self.mode), signature="sv")

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return properties(self.mode)[name]


class NotDict(dbus.service.Object):
    @dbus.service.method(PROPS, in_signature="s", out_signature="s")
    def GetAll(self, interface):
        return "surprise"


def main():
    mode, max_s = sys.argv[1], float(sys.argv[2])
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    if mode == "not_dict":
        obj = NotDict(bus, PATH)
    elif mode != "hang":
        obj = Manager(bus, mode)
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    print("ready", flush=True)
    if mode == "hang":
        time.sleep(max_s)        # messages queue up unanswered
        return
    loop = GLib.MainLoop()
    GLib.timeout_add(int(max_s * 1000), loop.quit)
    loop.run()
    del obj, name


if __name__ == "__main__":
    main()
