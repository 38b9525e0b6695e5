#!/usr/bin/env python3
"""check_gui.py - renders a scenario with `netstep-gui --headless` and checks
what was drawn: the PNG (exists, IHDR has the asked size) and the UI dump
(every node drawn, no two node rects overlap, packets in flight, event list,
inspector fields).

usage: check_gui.py GUI OUTDIR SCENARIO [--size WxH] [--at T] [--expect-field NAME]
       check_gui.py GUI OUTDIR --big-auto-layout   (a generated 40-node scenario
                                                    without positions)
       check_gui.py GUI OUTDIR --bad-input        (errors exit 2, no crash)
       check_gui.py GUI OUTDIR --interactive SCENARIO  (the window under SDL's
                                                    dummy driver, driven by --keys)
"""
import os
import struct
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        fail(path + " is not a PNG")
    return struct.unpack(">II", head[16:24])


def render(gui, outdir, scenario, size, at):
    os.makedirs(outdir, exist_ok=True)
    png = os.path.join(outdir, "shot.png")
    dump = os.path.join(outdir, "ui.txt")
    for p in (png, dump):
        if os.path.exists(p):
            os.remove(p)
    cmd = [gui, "--headless", "--screenshot", png, "--dump-ui", dump, "--size", size]
    if at:
        cmd += ["--at", at]
    cmd.append(scenario)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
    if not os.path.exists(png):
        fail("no screenshot written")
    w, h = png_size(png)
    want = tuple(int(x) for x in size.split("x"))
    if (w, h) != want:
        fail("PNG is %dx%d, wanted %dx%d" % (w, h, want[0], want[1]))
    with open(dump) as f:
        return f.read().splitlines()


def check_nodes(lines, scenario_nodes):
    rects = {}
    for ln in lines:
        if ln.startswith("node "):
            parts = ln.split()
            rect = [int(v) for v in parts[-1].split("=")[1].split(",")]
            rects[parts[1]] = rect
    missing = [n for n in scenario_nodes if n not in rects]
    if missing:
        fail("nodes not drawn: " + ", ".join(missing))
    names = sorted(rects)
    for i, a in enumerate(names):
        ax, ay, aw, ah = rects[a]
        if aw <= 0 or ah <= 0:
            fail("node %s has an empty rect" % a)
        for b in names[i + 1:]:
            bx, by, bw, bh = rects[b]
            if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                fail("nodes %s and %s overlap: %s %s" % (a, b, rects[a], rects[b]))
    return rects


def scenario_nodes(path):
    import json
    with open(path) as f:
        return [n["name"] for n in json.load(f)["nodes"]]


def check_scenario(gui, outdir, scenario, size, at, field):
    lines = render(gui, outdir, scenario, size, at)
    check_nodes(lines, scenario_nodes(scenario))
    packets = [ln for ln in lines if ln.startswith("packet ")]
    if not packets:
        fail("no packet drawn in flight")
    if not any(ln.startswith("event ") for ln in lines):
        fail("event list is empty")
    if not any(ln.startswith("legend ") for ln in lines):
        fail("no legend")
    if not any(ln.startswith("hex ") for ln in lines):
        fail("no hex dump")
    if field and not any(ln.startswith("inspector field " + field + ":") for ln in lines):
        fail("inspector does not show the field " + field)
    if not any(ln.startswith("why ") for ln in lines):
        fail("inspector shows no why sentence")
    print("ok: %d nodes, %d packets, %d events" % (
        sum(ln.startswith("node ") for ln in lines), len(packets),
        sum(ln.startswith("event ") for ln in lines)))


def check_big_layout(gui, outdir):
    """A router, 4 switches and 36 hosts, none with a position."""
    import json
    nodes = [{"name": "r", "type": "router",
              "interfaces": [{"name": "eth%d" % i, "ip": "10.%d.0.1/24" % i} for i in range(4)]}]
    links = []
    for s in range(4):
        nodes.append({"name": "sw%d" % s, "type": "switch", "ports": 10})
        links.append({"a": "r:eth%d" % s, "b": "sw%d:10" % s})
        for h in range(9):
            name = "h%d-%d" % (s, h)
            nodes.append({"name": name, "type": "host",
                          "interfaces": [{"name": "eth0", "ip": "10.%d.0.%d/24" % (s, h + 10)}],
                          "gateway": "10.%d.0.1" % s})
            links.append({"a": name + ":eth0", "b": "sw%d:%d" % (s, h + 1)})
    scn = {"netstep": 1, "name": "big", "nodes": nodes, "links": links,
           "timeline": [{"at": "1s", "node": "h0-0", "run": "ping -c 1 10.3.0.10"}],
           "until": "3s"}
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "big.json")
    with open(path, "w") as f:
        json.dump(scn, f)
    for size in ("1280x800", "800x600"):
        lines = render(gui, outdir, path, size, None)
        check_nodes(lines, [n["name"] for n in nodes])
    # Deterministic: the same layout twice.
    again = render(gui, outdir, path, "800x600", None)
    if [l for l in lines if l.startswith("node ")] != [l for l in again if l.startswith("node ")]:
        fail("auto-layout is not deterministic")
    print("ok: %d nodes laid out without overlap" % len(nodes))


def check_bad_input(gui, outdir):
    os.makedirs(outdir, exist_ok=True)
    bad = os.path.join(outdir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"netstep": 1,\n "nodes": [{"name": "a", "type": "toaster"}]}\n')
    png = os.path.join(outdir, "bad.png")
    for args in ([bad], [os.path.join(outdir, "missing.json")]):
        r = subprocess.run([gui, "--headless", "--screenshot", png] + args,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 2 or "netstep-gui:" not in r.stderr:
            fail("bad input: exit %d, stderr %r" % (r.returncode, r.stderr))
    r = subprocess.run([gui, "--headless", "--bogus"], capture_output=True, text=True, timeout=60)
    if r.returncode != 2:
        fail("unknown option: exit %d" % r.returncode)
    print("ok: bad input exits 2 with a message")


def check_interactive(gui, outdir, scenario):
    """Steps, steps back, jumps, clicks a router, drops a bad file: the
    window keeps the scenario, shows the error and the router's tables."""
    lines = render(gui, outdir, scenario, "1280x800", None)
    rects = check_nodes(lines, scenario_nodes(scenario))
    router = next(ln.split()[1] for ln in lines if ln.startswith("node ") and "kind=router" in ln)
    x, y, w, h = rects[router]
    bad = os.path.join(outdir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"netstep": 1,\n "nodes": [{"name": "a", "type": "toaster"}]}\n')
    png = os.path.join(outdir, "window.png")
    dump = os.path.join(outdir, "window.txt")
    keys = ",".join(["Right"] * 5 + ["Left", "Space", "Space", "Home", "F5", "Right", "Right",
                     "J", "text:1.000040", "Return", "click:%d:%d" % (x + w // 2, y + h // 2),
                     "Down", "Down", "drop:" + bad, "F1", "Ctrl+=", "F11", "Q"])
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    r = subprocess.run([gui, "--size", "1280x800", "--screenshot", png, "--dump-ui", dump,
                        "--keys", keys, scenario], capture_output=True, text=True, timeout=60,
                       env=env)
    if r.returncode != 0:
        fail("window exited %d: %s" % (r.returncode, r.stderr))
    if png_size(png) != (1280, 800):
        fail("window screenshot has the wrong size")
    with open(dump) as f:
        text = f.read()
    for want in ("t = 1.000040 s", "device Interfaces:", "show ip route", "message ",
                 "unknown node type", "help F1: this help", "node " + router):
        if want not in text:
            fail("window dump lacks %r" % want)
    print("ok: window steps, jumps, shows device tables, errors and help")


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    gui, outdir, what = sys.argv[1], sys.argv[2], sys.argv[3]
    if what == "--big-auto-layout":
        return check_big_layout(gui, outdir)
    if what == "--bad-input":
        return check_bad_input(gui, outdir)
    if what == "--interactive":
        return check_interactive(gui, outdir, sys.argv[4])
    size, at, field = "1280x800", None, None
    rest = sys.argv[4:]
    while rest:
        opt, val = rest[0], rest[1]
        rest = rest[2:]
        if opt == "--size":
            size = val
        elif opt == "--at":
            at = val
        elif opt == "--expect-field":
            field = val
    check_scenario(gui, outdir, what, size, at, field)


main()
