#!/usr/bin/env python3
"""check_gui.py - renders a scenario with `netstep-gui --headless` and checks
what was drawn: the PNG (exists, IHDR has the asked size) and the UI dump
(every node drawn, no two node rects overlap, packets in flight, event list,
inspector fields).

usage: check_gui.py GUI OUTDIR SCENARIO [--size WxH] [--at T] [--expect-field NAME]
       check_gui.py GUI OUTDIR --big-auto-layout   (a generated 40-node scenario
                                                    without positions)
       check_gui.py GUI OUTDIR --bad-input        (errors exit 2, no crash)
       check_gui.py GUI OUTDIR --long-history     (a 10,000+ step history: end, step
                                                    back, filter, scroll, jump)
       check_gui.py GUI OUTDIR --interactive SCENARIO  (the window under SDL's
                                                    dummy driver, driven by --keys)
       check_gui.py GUI OUTDIR --filters SCENARIO      (event filters, next/previous
                                                    event, jump by typed time)
       check_gui.py GUI OUTDIR --inout SCENARIO        (inspector: in/out layers)
       check_gui.py GUI OUTDIR --canvas ROUTED HUB     (broadcasts, drops, legend,
                                                    protocol colours)
       check_gui.py GUI OUTDIR --save SCENARIO NETSTEP (pan, zoom, drag, Ctrl+S)
       check_gui.py GUI OUTDIR --browser SCENARIOS_DIR (scenario browser)
       check_gui.py GUI OUTDIR --console SCENARIO      (typed commands and replay)
       check_gui.py GUI OUTDIR --teacher SCENARIO [DOC]  (help lists every control,
                                                    as DOC's table does, large fonts,
                                                    same PNG twice)
       check_gui.py GUI OUTDIR --inspector-l3 MISSING TCP  (steps whose bytes start
                                                    at IPv4 are not read as Ethernet)
       check_gui.py GUI OUTDIR --console-live TCP DNS  (telnet lines, dig output as
                                                    the simulation plays)
       check_gui.py GUI OUTDIR --device-tables DHCP TCP ROUTED  (leases, sockets)
       check_gui.py GUI OUTDIR --auto-moment SCENARIO...   (no --at: the first IPv4
                                                    frame in flight)
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


GUI_PROGRAM = [""]  # set by main(): scenario_nodes finds netstep beside it


def scenario_nodes(path):
    import json
    if path.endswith(".lua"):
        # A Lua scenario's nodes, as the JSON its build functions made
        # (`netstep validate --json`; netstep sits beside netstep-gui).
        cli = os.path.join(os.path.dirname(os.path.abspath(GUI_PROGRAM[0])), "netstep")
        r = subprocess.run([cli, "validate", "--json", path], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            fail("netstep validate --json %s exited %d: %s" % (path, r.returncode, r.stderr))
        return [n["name"] for n in json.loads(r.stdout)["nodes"]]
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
    check_plays_and_steps(gui, outdir, scenario)
    print("ok: %d nodes, %d packets, %d events; steps, plays, ends" % (
        sum(ln.startswith("node ") for ln in lines), len(packets),
        sum(ln.startswith("event ") for ln in lines)))


def toolbar_state(lines):
    """(step, steps, time in s, playing, ended) from the toolbar line."""
    t = want(lines, "toolbar ")[0]
    step, rest = t.split("step ")[1].split(" of ")
    return (int(step), int(rest.split()[0]), float(t.split("t = ")[1].split()[0]),
            "playing" in t, "(end)" in t)


def check_plays_and_steps(gui, outdir, scenario):
    """The scenario steps forward and back, goes event by event, plays
    (scripted time passing) and runs to its end."""
    st = toolbar_state(headless(gui, outdir, "steps", scenario, "Right,Right,Right,Left"))
    if st[0] != 2:
        fail("three steps forward and one back should show step 2: %r" % (st,))
    lines = headless(gui, outdir, "events", scenario, "N,N,N,P")
    two = headless(gui, outdir, "events2", scenario, "N,N")
    rows = [ln for ln in lines if ln.startswith("event ")]
    if selected_event(lines) != selected_event(two) or len(rows) != 2:
        fail("N three times and P once should be where N twice is: %r" % rows)
    # Play: the first wait skips the quiet time to the first event, later
    # ones move on at the playing speed (= ten times: 1,024 times faster).
    a = toolbar_state(headless(gui, outdir, "play1", scenario, "Space,wait:500"))
    b = toolbar_state(headless(gui, outdir, "play2", scenario,
                               "=,=,=,=,=,=,=,=,=,=,Space,wait:500,wait:1000,wait:1000"))
    if not a[3] or not b[3] or not 0 < a[2] < b[2] or b[0] <= a[0]:
        fail("playing should move time and steps on: %r then %r" % (a, b))
    paused = toolbar_state(headless(gui, outdir, "pause", scenario, "Space,wait:500,Space,wait:500"))
    if paused[3] or paused[2] != a[2]:
        fail("Space again should pause: %r vs %r" % (paused, a))
    end = headless(gui, outdir, "end", scenario, "End")
    e = toolbar_state(end)
    if not e[4] or e[0] != e[1] or e[1] < b[1]:
        fail("End should run to the end of the scenario: %r" % (e,))
    want(end, "inspector Step", "inspector at the end")


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
    for w in ("t = 1.000040 s", "device Interfaces:", "show ip route", "message ",
              "unknown node type", "help F1: this help", "node " + router,
              "toolbar Three LANs joined by two routers"):
        if w not in text:
            fail("window dump lacks %r" % w)
    print("ok: window steps, jumps, shows device tables, errors and help")


def headless(gui, outdir, name, scenario, keys=None, at=None, size="1280x800", env=None,
             png=False):
    """Renders headless after a --keys script; returns the dump's lines."""
    os.makedirs(outdir, exist_ok=True)
    dump = os.path.join(outdir, name + ".txt")
    cmd = [gui, "--headless", "--dump-ui", dump, "--size", size]
    if png:
        cmd += ["--screenshot", os.path.join(outdir, name + ".png")]
    if keys:
        cmd += ["--keys", keys]
    if at:
        cmd += ["--at", at]
    if scenario:
        cmd.append(scenario)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
    with open(dump) as f:
        return f.read().splitlines()


def want(lines, prefix, what=None):
    hits = [ln for ln in lines if ln.startswith(prefix)]
    if not hits:
        fail("%s: no line starting with %r" % (what or "dump", prefix))
    return hits


def selected_event(lines):
    sel = [ln for ln in lines if ln.startswith("event ") and ln.endswith("[selected]")]
    if len(sel) != 1:
        fail("expected one selected event, got %r" % sel)
    return sel[0]


def rect_of(lines, prefix):
    ln = want(lines, prefix)[0]
    x, y, w, h = [int(v) for v in ln.split("rect=")[1].split()[0].split(",")]
    return x, y, w, h


def center(r):
    return r[0] + r[2] // 2, r[1] + r[3] // 2


def check_filters(gui, outdir, scenario, tls=None):
    n8 = ",".join(["N"] * 8)
    lines = headless(gui, outdir, "next8", scenario, n8)
    sel = selected_event(lines)
    if "10.2.0.2 is at" not in sel or "proto=ARP" not in sel:
        fail("N x8 should reach r2's ARP reply: " + sel)
    if len([ln for ln in lines if ln.startswith("event ")]) != 8:
        fail("N x8 should show 8 events")
    # Previous event, by P and by Shift+Left.
    for back in ("P", "Shift+Left"):
        sel = selected_event(headless(gui, outdir, "prev", scenario, n8 + "," + back))
        if "Who has 10.2.0.2" not in sel:
            fail(back + " should go back one event: " + sel)
    # Hide ARP (key 1): no ARP rows, N goes to the next ICMP frame.
    lines = headless(gui, outdir, "noarp", scenario, n8 + ",1,N")
    if not any(ln.startswith("filters ARP=off ICMP=on") for ln in lines):
        fail("key 1 should hide ARP")
    if any(ln.startswith("event ") and "proto=ARP" in ln for ln in lines):
        fail("ARP rows shown while filtered out")
    sel = selected_event(lines)
    if "proto=ICMP" not in sel or "ttl=63" not in sel:
        fail("N with ARP hidden should reach the next ICMP frame: " + sel)
    # Clicking a chip toggles it; 0 shows everything again.
    chip = center(rect_of(lines, "chip ICMP on"))
    lines = headless(gui, outdir, "chip", scenario, n8 + ",click:%d:%d" % chip)
    if not any(ln.startswith("chip ICMP off") for ln in lines):
        fail("clicking the ICMP chip should hide ICMP")
    if any(ln.startswith("event ") and "proto=ICMP" in ln for ln in lines):
        fail("ICMP rows shown while filtered out")
    lines = headless(gui, outdir, "all", scenario, n8 + ",1,2,3,4,5,6,7,8,9")
    if any(ln.startswith("event ") for ln in lines):
        fail("every filter off should leave no rows")
    lines = headless(gui, outdir, "zero", scenario, n8 + ",1,2,0")
    if len([ln for ln in lines if ln.startswith("event ")]) != 8:
        fail("0 should show every protocol again")
    # Clicking a row goes to that moment: the third row, after eight events.
    rows8 = [ln for ln in headless(gui, outdir, "rows", scenario, n8)
             if ln.startswith("event_row ")]
    if len(rows8) != 8:
        fail("eight event rows should be drawn: %r" % rows8)
    click = "click:%d:%d" % center(rect_of(rows8[2:], "event_row "))
    lines = headless(gui, outdir, "rowclick", scenario, n8 + "," + click)
    third = [ln for ln in headless(gui, outdir, "rows3", scenario, "N,N,N")
             if ln.startswith("event ")]
    if selected_event(lines) != third[-1] or \
            len([ln for ln in lines if ln.startswith("event ")]) != 3:
        fail("clicking the third row should go to the third event: %r" % selected_event(lines))
    # Jump to a typed time, by keyboard only.
    lines = headless(gui, outdir, "jump", scenario, "J,text:1.000040,Return")
    if not any("t = 1.000040 s" in ln for ln in want(lines, "toolbar ")):
        fail("J + typed time did not jump")
    # TLS has its own chip (key 8): HTTPS records show, and hide, as TLS.
    if tls:
        lines = headless(gui, outdir, "tls", tls, at="2.5")
        if not any(ln.startswith("event ") and "proto=TLS" in ln for ln in lines):
            fail("an HTTPS exchange should show TLS rows")
        lines = headless(gui, outdir, "notls", tls, "8", at="2.5")
        if not any(ln.startswith("filters ") and " TLS=off other=on" in ln for ln in lines):
            fail("key 8 should hide TLS")
        if any(ln.startswith("event ") and "proto=TLS" in ln for ln in lines):
            fail("TLS rows shown while filtered out")
    print("ok: filters, next/previous event, jump")


def check_inout(gui, outdir, scenario):
    lines = headless(gui, outdir, "inout", scenario, ",".join(["N"] * 8) + ",Tab")
    want(lines, "tab OSI layers")
    head = want(lines, "layers At device: r2")[0]
    if "in=3 out=3" not in head:
        fail("r2 should show 3 steps in and 3 out: " + head)
    ins = [ln for ln in lines if ln.startswith("in Layer")]
    outs = [ln for ln in lines if ln.startswith("out Layer")]
    if not (ins[0].startswith("in Layer 1: receive") and ins[1].startswith("in Layer 2: decap")):
        fail("in layers should go up from L1: %r" % ins)
    if not (outs[0].startswith("out Layer 3: encapsulate") and
            outs[-1].startswith("out Layer 1: transmit") and outs[-1].endswith("[current]")):
        fail("out layers should go down to L1: %r" % outs)
    want(lines, "in_why The last bit")
    want(lines, "out_why ")
    # The very first frame: nothing came in, alice made it.
    lines = headless(gui, outdir, "inout0", scenario, "N,Tab")
    head = want(lines, "layers At device: alice")[0]
    if "in=0" not in head or not any(ln.startswith("in Nothing came in") for ln in lines):
        fail("the first frame should have no in layers: " + head)
    # Tab again: back to the field view.
    lines = headless(gui, outdir, "inout1", scenario, "N,Tab,Tab")
    want(lines, "tab PDU details")
    want(lines, "inspector field ")
    print("ok: in and out layers side by side")


def check_canvas(gui, outdir, routed, hub):
    lines = headless(gui, outdir, "bcast", routed, at="1.000008")
    pk = want(lines, "packet ")
    if not any(ln.endswith(" broadcast") and "proto=ARP" in ln for ln in pk):
        fail("the first ARP request should be drawn as a broadcast: %r" % pk)
    if want(lines, "legend")[0] != "legend ARP":
        fail("legend should list only the protocols seen: " + want(lines, "legend")[0])
    lines = headless(gui, outdir, "drop", hub, at="1.0001065")
    drop = [ln for ln in want(lines, "drop at=hub-c:eth0") if "reason=not for me" in ln]
    if not drop:
        fail("hub-c's drop is not drawn")
    x, y = [int(v) for v in drop[0].split("pos=")[1].split()[0].split(",")]
    lines = headless(gui, outdir, "drop_hover", hub, at="1.0001065", keys="move:%d:%d" % (x, y))
    want(lines, "drop_tip Dropped at hub-c: not for me")
    want(lines, "drop_why The destination MAC")
    lines = headless(gui, outdir, "drop_click", hub, at="1.0001065",
                     keys="click:%d:%d" % (x, y))
    if not any(ln.startswith("drop at=hub-c") and ln.endswith("[selected]") for ln in lines):
        fail("clicking a drop should select it")
    if not any(ln.startswith("inspector Step") and "drop at hub-c" in ln for ln in lines):
        fail("the inspector should show the drop step")
    r = subprocess.run([gui, "--protocol-colors"], capture_output=True, text=True, timeout=60)
    colors = dict(ln.split() for ln in r.stdout.splitlines())
    for name in ("ARP", "ICMP", "UDP", "TCP", "DHCP", "DNS", "HTTP", "FTP", "SMTP", "POP",
                 "IMAP", "TELNET", "WHOIS", "TLS"):
        if name not in colors:
            fail("no colour for " + name)
    if len(set(colors.values())) != len(colors):
        fail("two protocols share a colour: %r" % colors)
    print("ok: broadcasts, drops with reasons, legend, %d protocol colours" % len(colors))


def check_save(gui, outdir, scenario, netstep):
    import json
    import shutil
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "saved.json")
    shutil.copy(scenario, path)
    with open(scenario) as f:
        orig = json.load(f)
    lines = headless(gui, outdir, "save0", path)
    rects = check_nodes(lines, [n["name"] for n in orig["nodes"]])
    ax, ay = center(rects["alice"])
    lines = headless(gui, outdir, "zoom", path, "wheel:%d:%d:2" % (ax, ay))
    if not any(ln.startswith("view zoom=1.44") for ln in lines):
        fail("two wheel clicks should zoom to 1.44: %r" % want(lines, "view"))
    rz = check_nodes(lines, [n["name"] for n in orig["nodes"]])
    if abs(center(rz["alice"])[0] - ax) > 2 or rz["bob"][2] <= rects["bob"][2]:
        fail("zoom should keep the point under the mouse and grow icons")
    lines = headless(gui, outdir, "pan", path, "],Ctrl+Right,Ctrl+Down")
    if not any(ln.startswith("view zoom=1.25 pan=") for ln in lines):
        fail("] should zoom in: %r" % want(lines, "view"))
    lines = headless(gui, outdir, "pan2", path, "Ctrl+Right,Ctrl+Down")
    if want(lines, "view")[0] != "view zoom=1.00 pan=-60,-60":
        fail("Ctrl+arrows should pan: %r" % want(lines, "view"))
    lines = headless(gui, outdir, "pan3", path, "drag:600:480:650:500,V")
    if want(lines, "view")[0] != "view zoom=1.00 pan=0,0":
        fail("V should reset the view")
    lines = headless(gui, outdir, "pan4", path, "drag:700:480:650:500")
    if want(lines, "view")[0] != "view zoom=1.00 pan=-50,20":
        fail("dragging the background should pan: %r" % want(lines, "view"))
    # Drag alice 120 px right, save.
    lines = headless(gui, outdir, "drag", path, "drag:%d:%d:%d:%d,Ctrl+S" % (ax, ay, ax + 120, ay))
    msg = want(lines, "message ")[0]
    if "Saved the node positions" not in msg:
        fail("Ctrl+S did not save: " + msg)
    r = subprocess.run([netstep, "validate", path], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail("saved file does not validate: " + r.stdout + r.stderr)
    with open(path) as f:
        text = f.read()
    saved = json.loads(text)
    if text.count('"position"') != len(orig["nodes"]):
        fail("one position per node expected")
    pos = {n["name"]: n["position"] for n in saved["nodes"]}
    if abs(pos["alice"]["x"] - pos["sw-lab"]["x"] - 120) > 2:
        fail("alice was not saved 120 px right of sw-lab: %r" % pos)
    for n in saved["nodes"]:
        del n["position"]
    if saved != orig:
        fail("saving changed more than the positions")
    # It loads with those positions, and a second save rewrites them.
    lines = headless(gui, outdir, "reload", path)
    rr = check_nodes(lines, [n["name"] for n in orig["nodes"]])
    if center(rr["alice"])[0] <= center(rr["sw-lab"])[0]:
        fail("reloaded layout ignores the saved positions")
    a2 = center(rr["alice"])
    headless(gui, outdir, "drag2", path, "drag:%d:%d:%d:%d,Ctrl+S" % (a2[0], a2[1], a2[0],
                                                                       a2[1] + 40))
    with open(path) as f:
        text2 = f.read()
    if text2.count('"position"') != len(orig["nodes"]) or text2 == text:
        fail("second save should rewrite the positions in place")
    if [ln for ln in os.listdir(outdir) if ".tmp" in ln]:
        fail("temporary file left behind")
    print("ok: zoom, pan, drag, save positions (validates, only positions changed)")


def check_browser(gui, outdir, scenarios):
    import glob
    import json
    files = sorted(glob.glob(os.path.join(scenarios, "bundled", "*.json")))
    env = {"NETSTEP_SCENARIOS": scenarios}
    lines = headless(gui, outdir, "browse", None, env=env)
    rows = want(lines, "browse ")
    if not rows[0].endswith("[selected]"):
        fail("the first scenario should be selected")
    with open(files[0]) as f:
        first = json.load(f)["name"]
    if " | %s | ok" % first not in rows[0]:
        fail("browser row lacks the name: " + rows[0])
    want(lines, "browse_desc ")
    with open(files[1]) as f:
        second = json.load(f)["name"]
    lines = headless(gui, outdir, "browse2", None, "Down,Return", env=env)
    if not any(second in ln for ln in want(lines, "toolbar ")):
        fail("Down, Enter should open " + second)
    if any(ln.startswith("browse ") for ln in lines):
        fail("the browser should close after opening")
    lines = headless(gui, outdir, "browse3", files[0], "O", env=env)
    if len(want(lines, "browse ")) < 2:
        fail("O should open the browser")
    lines = headless(gui, outdir, "browse4", files[0], "O,Escape", env=env)
    if any(ln.startswith("browse ") for ln in lines):
        fail("Esc should close the browser")
    # A broken file keeps the open scenario and shows file, line, field.
    bad = os.path.join(outdir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"netstep": 1,\n "nodes": [{"name": "a", "type": "toaster"}]}\n')
    lines = headless(gui, outdir, "bad", files[0], "drop:" + bad, env=env)
    msg = want(lines, "message ")[0]
    if "bad.json:2" not in msg or "type" not in msg:
        fail("error should name file, line and field: " + msg)
    if not any(first in ln for ln in want(lines, "toolbar ")):
        fail("the previous scenario should stay open")
    # A bad file dropped while stepping: the steps stay too.
    lines = headless(gui, outdir, "bad2", files[0], "Right,Right,Right,drop:" + bad, env=env)
    if "step 3 of" not in want(lines, "toolbar ")[0]:
        fail("a failed open should leave the open scenario where it was")
    # F5 reloads the open scenario from its file: back to step 0, error gone.
    lines = headless(gui, outdir, "reload", files[0], "Right,Right,Right,drop:" + bad + ",F5",
                     env=env)
    tb = want(lines, "toolbar ")[0]
    if first not in tb or "step 0 of 0" not in tb or any(ln.startswith("message ") for ln in lines):
        fail("F5 should reload %s at time 0 and clear the error: %s" % (first, tb))
    # A good file dropped on the window opens it.
    lines = headless(gui, outdir, "drop", files[0], "Right,drop:" + files[1], env=env)
    if second not in want(lines, "toolbar ")[0] or "step 0 of 0" not in want(lines, "toolbar ")[0]:
        fail("dropping %s should open it" % files[1])
    # An error names the file, line and field for a syntax error too.
    syntax = os.path.join(outdir, "syntax.json")
    with open(syntax, "w") as f:
        f.write('{"netstep": 1,\n "nodes": [\n  {"name": "a" "type": "host"}]}\n')
    lines = headless(gui, outdir, "syntax", files[0], "drop:" + syntax, env=env)
    msg = want(lines, "message ")[0]
    if "syntax.json:3" not in msg:
        fail("a JSON syntax error should name file and line: " + msg)
    print("ok: browser lists %d scenarios, opens, drop, F5, errors keep the scenario" % len(rows))


def check_console(gui, outdir, scenario):
    lines = headless(gui, outdir, "con0", scenario)
    rects = check_nodes(lines, scenario_nodes(scenario))
    ax, ay = center(rects["alice"])
    typed = "click:%d:%d,C,text:ping -c 1 10.3.0.20,Return,Escape," % (ax, ay) + \
        ",".join(["N"] * 20)
    a = headless(gui, outdir, "con1", scenario, typed)
    ev = [ln for ln in a if ln.startswith("event ")]
    if not any(ln.startswith("event time=0.00") and "Echo (ping) reply" in ln and
               "at=alice" in ln for ln in ev):
        fail("the typed ping produced no echo reply: %r" % ev)
    want(a, "console alice$ ping -c 1 10.3.0.20")
    want(a, "console PING 10.3.0.20")
    b = headless(gui, outdir, "con2", scenario,
                 typed + "," + ",".join(["Left"] * 30) + "," + ",".join(["Right"] * 30))
    keep = ("event", "console", "toolbar", "packet", "inspector")
    if [ln for ln in a if ln.startswith(keep)] != [ln for ln in b if ln.startswith(keep)]:
        fail("step back + forward changed the history")
    # Stepped far ahead, back to time 0, then typed: the future seen before
    # (kept for replays) is not the one that happens now.
    ahead = ",".join(["N"] * 20) + ",Home," + typed
    k = headless(gui, outdir, "con_kept", scenario, ahead)
    if [ln for ln in k if ln.startswith(keep)] != [ln for ln in a if ln.startswith(keep)]:
        fail("typing after going back should rewrite the future seen before")
    # Forward again from time 0 by events: the same reply comes back.
    d = headless(gui, outdir, "con4", scenario, typed + ",Home," + ",".join(["N"] * 20))
    if [ln for ln in d if ln.startswith("event ")] != ev:
        fail("replay after Home differs")
    # Typed at t=1s: back before that moment it has not been typed yet;
    # forward again it is, at the same step.
    later = "N,N,N,click:%d:%d,C,text:ping -c 1 10.3.0.20,Return,Escape" % (ax, ay)
    c = headless(gui, outdir, "con3", scenario, later + ",Home")
    if any(ln.startswith("console ") for ln in c):
        fail("a command shown before the moment it was typed")
    c1 = headless(gui, outdir, "con3a", scenario, later)
    c2 = headless(gui, outdir, "con3b", scenario, later + ",Home,N,N,N")
    keep1 = ("console", "toolbar")
    if [ln for ln in c1 if ln.startswith(keep1)] != [ln for ln in c2 if ln.startswith(keep1)]:
        fail("the command should be back at the step it was typed at")
    want(c2, "console PING 10.3.0.20")
    # Ctrl+C ends a ping that would run forever, as in a terminal; the
    # interrupt is recorded and replayed too.
    forever = "click:%d:%d,C,text:ping 10.3.0.20,Return,Escape," % (ax, ay) + \
        ",".join(["N"] * 16)
    e = headless(gui, outdir, "con5", scenario, forever + ",Ctrl+C")
    con = [ln for ln in e if ln.startswith("console ")]
    if "console ^C" not in con or "console --- 10.3.0.20 ping statistics ---" not in con:
        fail("Ctrl+C should interrupt the ping and print its statistics: %r" % con)
    if con.index("console ^C") > con.index("console --- 10.3.0.20 ping statistics ---"):
        fail("^C should show before the statistics it caused")
    def requests(lines, ident):
        return [ln for ln in lines if ln.startswith("event ") and "request" in ln and ident in ln]
    first = requests(e, "last=alice")
    if not first:
        fail("the ping sent no request before Ctrl+C")
    ident = first[0].split("id=")[1].split(",")[0]
    # Past the time its second request would have gone (1 s later): none.
    f = headless(gui, outdir, "con6", scenario, forever + ",Ctrl+C," + ",".join(["N"] * 12))
    if not any(ln.startswith("event time=1.0") for ln in f):
        fail("12 more events should get past t=1s: %r" % want(f, "toolbar"))
    if requests(f, "id=" + ident):
        fail("the interrupted ping went on sending requests: %r" % requests(f, "id=" + ident))
    back = headless(gui, outdir, "con7", scenario, forever + ",Ctrl+C," +
                    ",".join(["Left"] * 20) + "," + ",".join(["Right"] * 20))
    if [ln for ln in e if ln.startswith(keep)] != [ln for ln in back if ln.startswith(keep)]:
        fail("step back + forward over an interrupt changed the history")
    print("ok: console command typed, replayed identically, Ctrl+C")


def check_console_live(gui, outdir, tcp, dns):
    """Commands run in simulated time: dig's answer shows once the reply has
    arrived, not when it was typed; lines typed while telnet runs go to it
    (a prompt says so), come back echoed, and replay the same."""
    def node_click(scn, name):
        lines = headless(gui, outdir, "pos", scn)
        return "click:%d:%d" % center(check_nodes(lines, scenario_nodes(scn))[name])
    dig = node_click(dns, "pc1") + ",C,text:dig www.galaxy.test,Return,Escape"
    early = headless(gui, outdir, "dig0", dns, dig + ",N,N")
    con = [ln for ln in early if ln.startswith("console ")]
    if con != ["console pc1$ dig www.galaxy.test"]:
        fail("dig should have printed nothing before its answer came: %r" % con)
    late = headless(gui, outdir, "dig1", dns, dig + "," + ",".join(["N"] * 9))
    want(late, "console www.galaxy.test.\t300\tIN\tCNAME\tweb.galaxy.test.", "dig's answer")
    want(late, "console ;; SERVER: 10.10.10.53#53(10.10.10.53) (UDP)", "dig's answer")
    tel = node_click(tcp, "pc1") + ",C,text:telnet 10.0.0.2 7,Return"
    lines = headless(gui, outdir, "tel0", tcp, tel)
    want(lines, "console_input [telnet 10.0.0.2 7] _ [focused]", "telnet prompt")
    typed = tel + ",text:hello echo,Return,Escape," + ",".join(["N"] * 8)
    a = headless(gui, outdir, "tel1", tcp, typed)
    con = [ln for ln in a if ln.startswith("console ")]
    if con.count("console hello echo") != 2 or "console Connected to 10.0.0.2." not in con:
        fail("the typed line should go to telnet and come back from the echo server: %r" % con)
    if not any("[PSH, ACK]" in ln and "Len=12" in ln and "last=pc1" in ln for ln in a
               if ln.startswith("event ")):
        fail("the typed line (10 characters + CRLF) was not sent: %r" %
             [ln for ln in a if ln.startswith("event ")])
    if any(ln.startswith("console pc1$ hello echo") for ln in a):
        fail("a line typed into telnet was run as a command")
    keep = ("event", "console", "toolbar", "packet", "inspector")
    b = headless(gui, outdir, "tel2", tcp,
                 typed + "," + ",".join(["Left"] * 25) + "," + ",".join(["Right"] * 25))
    if [ln for ln in a if ln.startswith(keep)] != [ln for ln in b if ln.startswith(keep)]:
        fail("step back + forward changed a telnet session")
    c = headless(gui, outdir, "tel3", tcp, typed + ",Home," + ",".join(["N"] * 8))
    if [ln for ln in a if ln.startswith("event ")] != [ln for ln in c if ln.startswith("event ")]:
        fail("replay from time 0 changed a telnet session")
    print("ok: dig answers in simulated time, telnet gets typed lines, replay is exact")


def check_inspector_l3(gui, outdir, missing, tcp):
    """Steps inside a device carry the packet as their layer sees it: an
    IPv4 drop (r-west has no route) is dissected from the IPv4 header, not
    read as Ethernet; a TCP drop shows the datagram it came in."""
    lines = headless(gui, outdir, "l3drop", missing, "N,N,N,N")
    sel = selected_event(lines)
    if "no route to 10.60.0.20" not in sel or "proto=ICMP" not in sel:
        fail("the fourth event should be r-west's drop of the ICMP request: " + sel)
    head = want(lines, "inspector Step")[0]
    if "L3 drop at r-west" not in head:
        fail("the inspector should show the drop step: " + head)
    layers = want(lines, "inspector layer ")
    if not layers[0].startswith("inspector layer L3  Internet Protocol Version 4, Src: 10.50.0.10"):
        fail("an L3 drop should be dissected from its IPv4 header: %r" % layers)
    if any("Ethernet" in ln for ln in layers):
        fail("no Ethernet header exists at an L3 drop: %r" % layers)
    want(lines, "inspector field Time to Live: 64 [selected]")
    want(lines, "inspector field Type: 8 (Echo (ping) request)")
    if not want(lines, "hex 0000")[0].startswith("hex 0000  45 00 00 54"):
        fail("the hex dump should start at the IPv4 header")
    want(lines, "highlight off=8 len=1 field=Time to Live")
    want(lines, "inspector bytes The IPv4 datagram at this step")
    # One step back: Ethernet was just taken off, the datagram is left.
    lines = headless(gui, outdir, "l2decap", missing, "N,N,N,N,Left")
    if "L2 decapsulate at r-west" not in want(lines, "inspector Step")[0]:
        fail("Left should go to the decapsulation step")
    if not want(lines, "inspector layer ")[0].startswith("inspector layer L3  Internet Protocol"):
        fail("after decapsulation the IPv4 datagram is left")
    # Two back: the frame as it arrived, Ethernet first.
    lines = headless(gui, outdir, "l1recv", missing, "N,N,N,N,Left,Left")
    if not want(lines, "inspector layer ")[0].startswith("inspector layer L2  Ethernet II"):
        fail("a received frame starts with Ethernet")
    # A TCP drop (port closed): the SYN's datagram, with its port.
    lines = headless(gui, outdir, "tcpdrop0", tcp, at="6.00100688")
    drop = [ln for ln in want(lines, "drop at=srv:eth0") if "reason=port 81 closed" in ln]
    if not drop:
        fail("srv's drop of the SYN to port 81 is not drawn")
    x, y = [int(v) for v in drop[0].split("pos=")[1].split()[0].split(",")]
    lines = headless(gui, outdir, "tcpdrop", tcp, at="6.00100688", keys="click:%d:%d" % (x, y))
    if "L4 drop at srv" not in want(lines, "inspector Step")[0]:
        fail("clicking the drop should inspect it")
    want(lines, "inspector bytes IPv4 datagram of step")
    want(lines, "inspector field Destination Port: 81")
    want(lines, "inspector field Flags: 0x002 (SYN)")
    print("ok: inspector starts at the step's own layer (IPv4 drop, decapsulation, TCP drop)")


def check_auto_moment(gui, outdir, *scenarios):
    """Without --at, the screenshot shows the first IPv4 frame on its wire
    (the DNS query, the DHCP discover), not the ARP before it nor a later
    ping."""
    want_proto = {"dns-lookup": "DNS", "dhcp-dora": "DHCP", "tcp-handshake": "ICMP"}
    for scn in scenarios:
        name = os.path.splitext(os.path.basename(scn))[0]
        lines = headless(gui, outdir, "auto-" + name, scn)
        pk = want(lines, "packet ", name)
        if not any("proto=" + want_proto[name] + " " in ln for ln in pk):
            fail("%s: the default moment should show a %s frame: %r" % (name, want_proto[name], pk))
        if all("proto=ARP" in ln for ln in pk):
            fail(name + ": the default moment shows only ARP")
        # It is the first IPv4 frame: no IPv4 frame was sent before it.
        rows = [ln for ln in lines if ln.startswith("event ")]
        if [ln for ln in rows[:-1] if "proto=ARP" not in ln]:
            fail("%s: an IPv4 frame went out before the default moment's: %r" % (name, rows))
    print("ok: the default moment shows the first IPv4 frame")


def check_long_history(gui, outdir):
    """A history of more than 10,000 steps (1,000 pings through a switch):
    End, step back (a replay from time 0), a filter, the previous event,
    scrolling and a jump back all land where they should. Correctness only:
    how fast is scripts/bench's GUI-history line."""
    scn = {"netstep": 1, "name": "long history", "seed": 1,
           "nodes": [{"name": "a", "type": "host",
                      "interfaces": [{"name": "eth0", "ip": "10.0.0.1/24"}]},
                     {"name": "b", "type": "host",
                      "interfaces": [{"name": "eth0", "ip": "10.0.0.2/24"}]},
                     {"name": "sw", "type": "switch", "ports": 4}],
           "links": [{"a": "a:eth0", "b": "sw:1"}, {"a": "b:eth0", "b": "sw:2"}],
           "timeline": [{"at": "1s", "node": "a", "run": "ping -c 1000 -i 0.002 10.0.0.2"}],
           "until": "4s"}
    import json
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "long.json")
    with open(path, "w") as f:
        json.dump(scn, f)

    def step_of(lines):
        t = want(lines, "toolbar ")[0]
        cur, total = t.split("step ")[1].split(" of ")
        return int(cur), int(total.split()[0])

    end = headless(gui, outdir, "end", path, "End")
    cur, total = step_of(end)
    if total < 10000 or cur != total:
        fail("End should show the last of more than 10,000 steps: %d of %d" % (cur, total))
    rows = [ln for ln in end if ln.startswith("event ")]
    if "seq=1000/" not in rows[-1] or "Echo (ping) reply" not in rows[-1]:
        fail("the last event should be the 1000th reply: " + rows[-1])
    back = headless(gui, outdir, "back", path, "End,Left")
    if step_of(back) != (total - 1, total):
        fail("Left after End should replay to step %d: %r" % (total - 1, step_of(back)))
    flt = headless(gui, outdir, "filter", path, "End,2")
    if any("proto=ICMP" in ln for ln in flt if ln.startswith("event ")):
        fail("ICMP rows shown while hidden")
    shown = want(flt, "events_shown ")[0]  # events_shown R of N (all protocols: M) ...
    passing = int(shown.split(" of ")[1].split()[0])
    every = int(shown.split("protocols: ")[1].split(")")[0])
    if passing != every - 4000:  # 1,000 echoes, 2 hops each way
        fail("with ICMP hidden, 4,000 fewer events should pass: " + shown)
    # End is past the last frame's arrival: P goes to that frame, P again
    # to the one before (the reply on its first hop).
    prev = headless(gui, outdir, "prev", path, "End,P,P")
    sel = selected_event(prev)
    if sel != rows[-2] + " [selected]" or "seq=1000/" not in sel:
        fail("P twice from the end should select the next to last event: " + sel)
    if step_of(prev)[1] >= total:
        fail("going back to an event should replay only up to it")
    scroll = headless(gui, outdir, "scroll", path, "End,PageUp")
    if not want(scroll, "events_shown ")[0].endswith("scroll 10"):
        fail("PgUp should scroll the list by 10 rows")
    srows = [ln for ln in scroll if ln.startswith("event ")]
    if srows[-1] != rows[-11]:
        fail("scrolled by 10, the last row shown should be the 11th from the end")
    jump = headless(gui, outdir, "jump", path, "End,J,text:2.000001,Return")
    if not any("t = 2.000001 s" in ln for ln in want(jump, "toolbar ")):
        fail("J back to 2.000001 s did not jump")
    if step_of(jump)[1] >= total:
        fail("jumping back should replay only up to that moment")
    print("ok: %d steps: end, step back, filter, previous event, scroll, jump back" % total)


def check_device_tables(gui, outdir, dhcp, tcp, routed):
    """A clicked node's tables as they are at the shown moment: DHCP leases
    on the router that serves them, sockets on a host that has some, and
    neither where there are none."""
    def device(scn, name, keys):
        lines = headless(gui, outdir, "dev-" + name, scn)
        click = "click:%d:%d" % center(check_nodes(lines, scenario_nodes(scn))[name])
        return [ln for ln in headless(gui, outdir, "dev-%s-%s" % (name, keys), scn,
                                      keys + "," + click) if ln.startswith("device ")]
    r1 = device(dhcp, "r1", "End")
    leases = [ln for ln in r1 if ln.startswith("device 192.168.1.10") and "active" in ln]
    if "device r1$ show dhcp leases" not in r1 or len(leases) != 2:
        fail("r1 should list the two laptops' leases at the end: %r" % r1)
    r1_start = device(dhcp, "r1", "Home")
    if not any("0 active" in ln for ln in r1_start) or \
            any(ln.startswith("device 192.168.1.10") for ln in r1_start):
        fail("no lease exists at time 0: %r" % r1_start)
    pc1 = device(tcp, "pc1", "End")
    if "device pc1$ ss -tan" not in pc1 or not any("TIME-WAIT" in ln or "ESTAB" in ln
                                                    for ln in pc1):
        fail("pc1 should list its TCP sockets: %r" % pc1)
    r2 = device(routed, "r2", "End")
    if any("dhcp" in ln or "nat" in ln for ln in r2) or "device r2$ show ip route" not in r2:
        fail("r2 runs neither DHCP nor NAT: %r" % r2)
    print("ok: device tables (leases, sockets) as at the shown moment")


def check_teacher(gui, outdir, scenario, doc=None):
    lines = headless(gui, outdir, "help", scenario, "F1")
    helps = "\n".join(want(lines, "help "))
    if doc:
        # docs/gui.md's table of controls is the F1 overlay's, row for row.
        import re
        with open(doc) as f:
            rows = [m.groups() for m in re.finditer(r"^\| (.+?) \| (.+?) \|$", f.read(), re.M)]
        table = ["help %s: %s" % (k, v) for k, v in rows if k not in ("key", "---")]
        if table != want(lines, "help "):
            fail("%s's table of controls differs from the F1 overlay:\n%s\nvs\n%s" %
                 (doc, "\n".join(table), helps))
    for key in ("Space", "Right / Left", "N / Shift+Right", "P / Shift+Left", "Home / End",
                "J:", "+ / -", "1 ... 9", "0:", "PgUp / PgDn", "Tab", "Up / Down", "wheel",
                "Ctrl+arrows", "V:", "Ctrl+S", "Click a node", "C:", "Ctrl+C:", "O / Ctrl+O", "F5",
                "Drop a file", "F11", "Esc", "F1", "Q / Ctrl+Q"):
        if key not in helps:
            fail("help lacks " + key)
    small = headless(gui, outdir, "small", scenario)
    big = headless(gui, outdir, "big", scenario, "F11")
    s_line = want(small, "size ")[0]
    b_line = want(big, "size ")[0]
    if "scale 1.0" not in s_line or "scale 1.6" not in b_line:
        fail("F11 should scale the UI: %s / %s" % (s_line, b_line))
    sr, br = check_nodes(small, scenario_nodes(scenario)), check_nodes(big, scenario_nodes(scenario))
    if br["alice"][2] <= sr["alice"][2]:
        fail("F11 should make icons larger")
    # Deterministic: the same PNG bytes twice.
    pngs = []
    for i in range(2):
        headless(gui, outdir, "det%d" % i, scenario, "N,N,N,Tab", png=True)
        with open(os.path.join(outdir, "det%d.png" % i), "rb") as f:
            pngs.append(f.read())
    if pngs[0] != pngs[1]:
        fail("two headless renders differ")
    print("ok: help lists every control, F11 scales, renders are deterministic")


def check_lua_error(gui, outdir):
    """A Lua error in a callback stops the run: the window says so, with
    the script's file and line, and stepping back to before it clears it."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "stops.lua")
    with open(path, "w") as f:
        f.write('host{name = "a", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}\n'
                'host{name = "b", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}\n'
                'link{a = "a:eth0", b = "b:eth0"}\n'
                'at("1s", function() run("a", "ping -c 3 10.0.0.2") end)\n'
                'at("2s", function()\n'
                '  local t = nil\n'
                '  return t.x\n'
                'end)\n')
    lines = headless(gui, outdir, "lua_error", path, at="3")
    msg = want(lines, "message ", "after the error")[0]
    if "[error]" not in msg or "stops.lua:7" not in msg or "attempt to index" not in msg:
        fail("the Lua error should be shown with file and line: " + msg)
    if "(end)" not in want(lines, "toolbar ")[0]:
        fail("the run should have ended at the error")
    # Before the error, nothing is wrong.
    early = headless(gui, outdir, "lua_before", path, at="1.5")
    if any(ln.startswith("message ") for ln in early):
        fail("no message before the error: %r" % [ln for ln in early if ln.startswith("message ")])
    # Keys: End runs into the error; Home replays to time 0, before it.
    end = headless(gui, outdir, "lua_end", path, keys="End")
    if not any("stops.lua:7" in ln for ln in want(end, "message ", "after End")):
        fail("End should run into the Lua error")
    home = headless(gui, outdir, "lua_home", path, keys="End,Home")
    if any("stops.lua" in ln for ln in home if ln.startswith("message ")):
        fail("Home replays to before the error: it should be gone")
    print("ok: the Lua error is shown (%s)" % msg.split("stopped the run: ")[-1][:60])


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    gui, outdir, what = sys.argv[1], sys.argv[2], sys.argv[3]
    GUI_PROGRAM[0] = gui
    if what == "--big-auto-layout":
        return check_big_layout(gui, outdir)
    if what == "--bad-input":
        return check_bad_input(gui, outdir)
    if what == "--long-history":
        return check_long_history(gui, outdir)
    if what == "--lua-error":
        return check_lua_error(gui, outdir)
    if what == "--interactive":
        return check_interactive(gui, outdir, sys.argv[4])
    modes = {"--filters": check_filters, "--inout": check_inout, "--canvas": check_canvas,
             "--save": check_save, "--browser": check_browser, "--console": check_console,
             "--teacher": check_teacher, "--inspector-l3": check_inspector_l3,
             "--auto-moment": check_auto_moment, "--console-live": check_console_live,
             "--device-tables": check_device_tables}
    if what in modes:
        return modes[what](gui, outdir, *sys.argv[4:])
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
