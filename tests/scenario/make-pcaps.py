#!/usr/bin/env python3
"""make-pcaps.py - small pcapng files, clean and broken, for pcap-check's self-test.

Usage: make-pcaps.py KIND OUT.pcapng
KIND: good (two ICMP echoes), empty (no frames), badip (an IPv4 header
checksum is wrong), badicmp (an ICMP checksum is wrong), trunc (IPv4 says
more bytes than the frame has), garbage (a frame cut inside the IPv4
header), cut (the file ends in the middle of a block).
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * ((-len(val)) % 4)


def block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(0, b""))


def idb(name):
    body = struct.pack("<HHI", 1, 0, 262144) + opt(2, name) + opt(9, b"\x09") + opt(0, b"")
    return block(1, body)


def epb(iface, ts, data):
    head = struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
    return block(6, head + data + b"\0" * ((-len(data)) % 4))


def icmp_echo(bad_ip=False, bad_icmp=False, trunc=False):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"abcdefgh" * 4
    c = csum(icmp) ^ (0x5555 if bad_icmp else 0)
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    c = csum(ip) ^ (0x1111 if bad_ip else 0)
    ip = ip[:10] + struct.pack("!H", c) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + (icmp[:3] if trunc else icmp)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    frames = [] if kind == "empty" else [icmp_echo(), icmp_echo()]
    extra = {
        "badip": lambda: icmp_echo(bad_ip=True),
        "badicmp": lambda: icmp_echo(bad_icmp=True),
        "trunc": lambda: icmp_echo(trunc=True),
        "garbage": lambda: bytes.fromhex("020000000002" "020000000001" "0800") + b"\x45\x00\x00",
    }
    if kind in extra:
        frames.append(extra[kind]())
    elif kind not in ("good", "empty", "cut"):
        sys.exit(f"make-pcaps.py: unknown kind {kind}")
    data = shb() + idb(b"a:eth0") + idb(b"b:eth0")
    for i, f in enumerate(frames):
        data += epb(i % 2, 1000 * i, f)
    if kind == "cut":
        data = data[:-10]
    with open(out, "wb") as fh:
        fh.write(data)


if __name__ == "__main__":
    main()
