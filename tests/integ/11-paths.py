#!/usr/bin/env python3
"""
11-paths.py -- paths against a real tfsd: the table of bad paths (every
request answers BAD_PATH before touching anything), symbolic links
inside the root followed and out of it refused (DENIED), a folder
swapped for a link mid-request, and special files answered NOT_A_FILE
without blocking the worker.
"""

import os
import socket
import stat
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import (LIST, STAT, GET, PUT, DELETE, RENAME, MKDIR,  # noqa
                    SUM, ERROR, parse_error)

t = tfslib.Tap()

server = tfslib.server


BAD = [
    ("/etc/passwd", "leading /"),
    ("/", "just /"),
    ("a//b", "empty component"),
    ("a/", "trailing /"),
    (".", "component ."),
    ("./a", "leading ./"),
    ("a/./b", "inner ."),
    ("..", "component .."),
    ("../etc/passwd", "leading .."),
    ("a/../../b", "inner .."),
    ("a/..", "trailing .."),
    ("x" * 256, "component of 256 bytes"),
    ("d/" + "y" * 256, "inner component too long"),
    ("a" + "/b" * 2048, "path over 4095 bytes"),
    ("a\x00b", "NUL byte"),
    ("a\x01b", "byte 0x01"),
    ("a\nb", "newline"),
    ("a\x1fb", "byte 0x1f"),
    ("a\x7fb", "byte 0x7f"),
    (".tfs-part-x", "reserved .tfs- name"),
    ("d/.tfs-x", "reserved inner name"),
    (".tfs-", "the bare prefix"),
]


def one_reply(c, msg):
    """Send a request; the name of the error, or 'ok' for any other reply."""
    c.req(msg)
    tp, p = c.recv()
    if tp == ERROR:
        return parse_error(p)[0]
    # drain a LIST or GET reply so the connection stays in step
    while tp in (tfslib.ENTRY, tfslib.FILE, tfslib.DATA):
        tp, p = c.recv()
    return "ok"


def bad_paths(srv):
    os.mkdir(os.path.join(srv.root, "d"))
    tfslib.write_file(os.path.join(srv.root, "d", "f"), b"f")
    with tfslib.Conn(srv.port) as c:
        for path, what in BAD:
            b = path.encode()
            res = {}
            for name, msg in (("LIST", LIST(b)), ("STAT", STAT(b)),
                              ("GET", GET(b)), ("PUT", tfslib.PUT(b, 1)),
                              ("DELETE", DELETE(b)), ("MKDIR", MKDIR(b)),
                              ("SUM", SUM(b)), ("RENAME from",
                                                RENAME(b, "z")),
                              ("RENAME to", RENAME("d/f", b))):
                res[name] = one_reply(c, msg)
            wrong = {k: v for k, v in res.items() if v != "BAD_PATH"}
            t.ok(not wrong, "%s: BAD_PATH for every request" % what, wrong)
        for name, msg in (("GET", GET("")), ("PUT", PUT("", 1)),
                          ("DELETE", DELETE("")), ("MKDIR", MKDIR("")),
                          ("SUM", SUM("")), ("RENAME", RENAME("", "x")),
                          ("RENAME to", RENAME("d/f", ""))):
            t.eq(one_reply(c, msg), "BAD_PATH", "%s of the root: BAD_PATH"
                 % name)
        t.ok(os.path.exists(os.path.join(srv.root, "d", "f")),
             "nothing was touched")
        # legal names close to the rules
        for name in (".hidden", "..a", "...", ".tfs", ".tfsx", "a.tfs-",
                     "x" * 255, "sp ace", "\u00e9", "tab\u00a0"):
            t.eq(c.put(name, b"ok"), "OK", "legal name %r" % name[:20])
            t.eq(c.get(name), b"ok", "... and served back")
        longp = "/".join(["p" * 255] * 16)
        t.eq(len(longp.encode()), 4095, "a 4095-byte path")
        t.eq(c.stat(longp), "NOT_FOUND", "4095 bytes are legal: NOT_FOUND, "
             "not BAD_PATH")


def outside(*files):
    """A new folder out of the root holding files, each reading SECRET."""
    out = tempfile.mkdtemp(prefix="tfs-out-")
    for name in files:
        tfslib.write_file(os.path.join(out, name), b"SECRET")
    return out


def links(srv):
    R = srv.root
    out = outside("secret")
    tfslib.write_file(os.path.join(R, "a.txt"), b"inside")
    os.mkdir(os.path.join(R, "d"))
    tfslib.write_file(os.path.join(R, "d", "f"), b"deep")
    os.symlink("a.txt", os.path.join(R, "rel"))
    os.symlink(os.path.join(R, "a.txt"), os.path.join(R, "abs"))
    os.symlink("../a.txt", os.path.join(R, "d", "up"))
    os.symlink("d", os.path.join(R, "dlink"))
    os.symlink(os.path.join(R, "d"), os.path.join(R, "dabs"))
    os.symlink("rel", os.path.join(R, "chain"))
    os.symlink(os.path.join(out, "secret"), os.path.join(R, "outfile"))
    os.symlink(out, os.path.join(R, "outdir"))
    os.symlink("../" + os.path.basename(R) + "/a.txt",
               os.path.join(R, "roundtrip"))
    os.symlink("/etc/passwd", os.path.join(R, "passwd"))
    os.symlink("nowhere", os.path.join(R, "dangling"))
    os.symlink("loop2", os.path.join(R, "loop1"))
    os.symlink("loop1", os.path.join(R, "loop2"))
    os.symlink("/proc/self/root/etc/passwd", os.path.join(R, "magic"))
    # ".." undoes no name that is missing or a file: as the kernel walks
    os.symlink(os.path.join(R, "nothere", "..", "a.txt"),
               os.path.join(R, "viamissing"))
    os.symlink(os.path.join(R, "a.txt", "..", "a.txt"),
               os.path.join(R, "viafile"))
    os.symlink("nothere/../a.txt", os.path.join(R, "relmissing"))
    with tfslib.Conn(srv.port) as c:
        t.eq(c.get("rel"), b"inside", "relative link inside: followed")
        t.eq(c.get("abs"), b"inside", "absolute link inside: followed")
        t.eq(c.get("d/up"), b"inside", "link with .. inside: followed")
        t.eq(c.get("chain"), b"inside", "chain of links: followed")
        t.eq(c.get("dlink/f"), b"deep", "link to a folder: followed")
        t.eq(c.get("dabs/up"), b"inside", "absolute link to a folder, then "
             "..: followed")
        t.eq(tfslib.names(c.list("dlink"), sort=True), [b"f", b"up"],
             "LIST through a link")
        st = c.stat("abs")
        t.eq((st["kind"], st["size"], st["name"]), ("f", 6, b"abs"),
             "STAT of a link: its target, under the link's name")
        for p in ("outfile", "outdir/secret", "passwd", "roundtrip",
                  "magic"):
            r = c.get(p)
            t.eq(r, "DENIED", "link out of the root (%s): DENIED" % p)
        t.eq(c.list("outdir"), "DENIED", "LIST of a folder out of the root: "
             "DENIED")
        t.eq(c.sum("outfile"), "DENIED", "SUM through a link out: DENIED")
        t.eq(c.put("outdir/new", b"x"), "DENIED", "PUT through a link out: "
             "DENIED")
        t.ok(not os.path.exists(os.path.join(out, "new")), "nothing written "
             "outside")
        t.eq(c.simple(MKDIR("outdir/m")), "DENIED", "MKDIR through a link "
             "out: DENIED")
        t.eq(c.simple(RENAME("a.txt", "outdir/stolen")), "DENIED",
             "RENAME into a link out: DENIED")
        t.ok(os.path.exists(os.path.join(R, "a.txt")), "nothing moved out")
        t.eq(c.get("dangling"), "NOT_FOUND", "dangling link: NOT_FOUND")
        t.eq(c.get("loop1"), "DENIED", "looping links: DENIED")
        t.eq(c.get("viamissing"), "NOT_FOUND", "absolute link through a "
             "missing folder and back (..): NOT_FOUND")
        t.eq(c.get("viafile"), "NOT_A_DIR", "absolute link through a file "
             "and back (..): NOT_A_DIR")
        t.eq(c.get("relmissing"), "NOT_FOUND", "relative link through a "
             "missing folder and back (..): NOT_FOUND")
        listed = tfslib.names(c.list(""))
        t.ok(b"outfile" not in listed and b"outdir" not in listed and
             b"dangling" not in listed and b"loop1" not in listed,
             "links out, dangling or looping are not listed", listed)
        t.ok(b"abs" in listed and b"dlink" in listed, "links inside are "
             "listed")
        # DELETE removes the link itself, never its target
        t.eq(c.simple(DELETE("outfile")), "OK", "DELETE of a link out "
             "removes the link")
        t.ok(os.path.exists(os.path.join(out, "secret")), "... not its "
             "target")
        t.eq(c.simple(DELETE("dlink")), "OK", "DELETE of a link to a folder")
        t.ok(os.path.isdir(os.path.join(R, "d")), "... keeps the folder")
        for n in os.listdir(out):
            os.unlink(os.path.join(out, n))
        os.rmdir(out)


def swap_race(srv):
    """
    A folder swapped for a link to outside while requests run: never a
    byte from outside, whatever the timing.
    """
    R = srv.root
    out = outside("f", "outside-only")
    os.mkdir(os.path.join(R, "s"))
    tfslib.write_file(os.path.join(R, "s", "f"), b"inside")
    stop = threading.Event()
    swaps = [0]

    def swapper():
        s = os.path.join(R, "s")
        real = os.path.join(R, "s.real")
        while not stop.is_set():
            os.rename(s, real)
            os.symlink(out, s)
            os.unlink(s)
            os.rename(real, s)
            swaps[0] += 1

    th = threading.Thread(target=swapper)
    th.start()
    seen = {}
    leaked = False
    deadline = time.monotonic() + 3
    n = 0
    try:
        with tfslib.Conn(srv.port) as c:
            while time.monotonic() < deadline and n < 3000:
                n += 1
                r = c.get("s/f")
                if isinstance(r, bytes):
                    leaked |= r != b"inside"
                    r = "data"
                seen[r] = seen.get(r, 0) + 1
                lst = c.list("s")
                if isinstance(lst, list) and any(
                        e["name"] == b"outside-only" for e in lst):
                    leaked = True
                r = c.put("s/new", b"x")
                seen["put " + r] = seen.get("put " + r, 0) + 1
    finally:
        stop.set()
        th.join()
    t.ok(not leaked, "folder swapped for a link out, %d requests, %d swaps: "
         "nothing from outside" % (n, swaps[0]), seen)
    t.eq(sorted(os.listdir(out)), ["f", "outside-only"],
         "nothing written outside")
    t.note("outcomes: %r" % seen)
    for n in os.listdir(out):
        os.unlink(os.path.join(out, n))
    os.rmdir(out)


def specials(srv):
    R = srv.root
    os.mkfifo(os.path.join(R, "fifo"))
    so = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    so.bind(os.path.join(R, "sock"))
    kinds = ["fifo", "sock"]
    try:
        os.mknod(os.path.join(R, "null"), stat.S_IFCHR | 0o666,
                 os.makedev(1, 3))
        kinds.append("null")
    except OSError:
        t.skip("character device: NOT_A_FILE", "cannot mknod")
    try:
        os.mknod(os.path.join(R, "blk"), stat.S_IFBLK | 0o600,
                 os.makedev(7, 200))
        kinds.append("blk")
    except OSError:
        pass
    os.symlink("fifo", os.path.join(R, "fifolink"))
    kinds.append("fifolink")
    with tfslib.Conn(srv.port, timeout=5 * tfslib.SLOW) as c:
        for k in kinds:
            t0 = time.monotonic()
            res = {
                "GET": c.get(k), "SUM": c.sum(k), "STAT": c.stat(k),
                "LIST": c.list(k), "PUT": c.put(k, b"x"),
            }
            # RENAME and DELETE of a link act on the link itself
            if k != "fifolink":
                res["RENAME"] = c.simple(RENAME(k, k + ".2"))
                res["DELETE"] = c.simple(DELETE(k))
            dt = time.monotonic() - t0
            wrong = {a: b for a, b in res.items() if b != "NOT_A_FILE"}
            t.ok(not wrong, "%s: NOT_A_FILE for every request" % k, wrong)
            t.ok(dt < 3 * tfslib.SLOW, "%s: answered without blocking "
                 "(%.2f s)" % (k, dt))
        t.eq(c.stat("fifo/x"), "NOT_A_DIR", "a path through a fifo: "
             "NOT_A_DIR")
        listed = tfslib.names(c.list(""))
        t.ok(not any(k.encode() in listed for k in kinds),
             "special files are never listed", listed)
    so.close()


for name, fn in (("bad paths", bad_paths), ("links", links),
                 ("swap race", swap_race), ("special files", specials)):
    with server() as srv:
        t.run(name, fn, srv)
tfslib.check_logs(t)
sys.exit(t.done())
