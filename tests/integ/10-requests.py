#!/usr/bin/env python3
"""
10-requests.py -- every request of TFS/1 against a real tfsd, and every
error code of PROTOCOL.md that a client can reach from the wire.

Frames are spoken raw (tfslib.Conn), so this tests the server alone.
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfslib  # noqa: E402
from tfslib import (ERROR, END, DATA, FILE, OK, READY,  # noqa: E402
                    GET, PUT, DELETE, RENAME, MKDIR, SUM, QUIT,
                    u64, parse_error, parse_u64, names)

t = tfslib.Tap()

server = tfslib.server


def basics(srv):
    R = srv.root
    tfslib.write_file(os.path.join(R, "b.txt"), b"bee\n")
    tfslib.write_file(os.path.join(R, "a.txt"), b"hello, world\n")
    os.chmod(os.path.join(R, "a.txt"), 0o640)
    os.utime(os.path.join(R, "a.txt"), (1000000000, 1000000000))
    os.mkdir(os.path.join(R, "dir"))
    for n in ("Zed", ".hidden", "\u00e9t\u00e9", "a b", ".tfs-part-x",
              ".tfs-sweep-other"):
        tfslib.write_file(os.path.join(R, n), b"x")
    os.mkfifo(os.path.join(R, "fifo"))

    with tfslib.Conn(srv.port) as c:
        t.eq(c.hello, (1, tfslib.FRAME_MAX, c.hello[2]), "HELLO version 1, "
             "max_payload 1 MiB")
        t.ok(c.hello[2].startswith(b"tfsd"), "HELLO names the server")

        # LIST
        got = c.list("")
        want = sorted([b"a.txt", b"b.txt", b"dir", b"Zed", b".hidden",
                       "\u00e9t\u00e9".encode(), b"a b"])
        t.eq(names(got), want, "LIST root: sorted bytewise, no partials, "
             "no special files")
        a = [e for e in got if e["name"] == b"a.txt"][0]
        t.eq((a["kind"], a["size"], a["mtime"], a["mode"]),
             ("f", 13, 1000000000, 0o640), "ENTRY kind size mtime mode")
        d = [e for e in got if e["name"] == b"dir"][0]
        t.eq((d["kind"], d["size"]), ("d", 0), "ENTRY of a folder: 'd', 0")
        t.eq(c.list("dir"), [], "LIST of an empty folder: END 0")
        t.eq(c.list("a.txt"), "NOT_A_DIR", "LIST of a file: NOT_A_DIR")
        t.eq(c.list("nope"), "NOT_FOUND", "LIST of nothing: NOT_FOUND")
        t.eq(c.list("fifo"), "NOT_A_FILE", "LIST of a fifo: NOT_A_FILE")

        # STAT
        st = c.stat("")
        t.eq((st["kind"], st["name"]), ("d", b""), "STAT root: folder, "
             "name ''")
        st = c.stat("a.txt")
        t.eq((st["kind"], st["size"], st["name"], st["mode"]),
             ("f", 13, b"a.txt", 0o640), "STAT file")
        os.mkdir(os.path.join(R, "dir", "sub"))
        st = c.stat("dir/sub")
        t.eq((st["kind"], st["name"]), ("d", b"sub"),
             "STAT names the last component")
        t.eq(c.stat("nope"), "NOT_FOUND", "STAT of nothing: NOT_FOUND")
        t.eq(c.stat("a.txt/x"), "NOT_A_DIR", "STAT through a file: "
             "NOT_A_DIR")
        t.eq(c.stat("fifo"), "NOT_A_FILE", "STAT of a fifo: NOT_A_FILE")
        os.rmdir(os.path.join(R, "dir", "sub"))

        # GET
        t.eq(c.get("a.txt"), b"hello, world\n", "GET whole file")
        t.eq(c.get("a.txt", 7), b"world\n", "GET from an offset")
        t.eq(c.get("a.txt", 13), b"", "GET at offset = size: no DATA, END 0")
        t.eq(c.get("a.txt", 14), "RANGE", "GET beyond the end: RANGE")
        t.eq(c.get("dir"), "NOT_A_FILE", "GET of a folder: NOT_A_FILE")
        t.eq(c.get("nope"), "NOT_FOUND", "GET of nothing: NOT_FOUND")
        big = os.urandom(3 * tfslib.FRAME_MAX + 12345)
        tfslib.write_file(os.path.join(R, "big"), big)
        c.req(GET("big", 5))
        tp, p = c.recv()
        r = tfslib.Reader(p)
        t.eq((tp, r.u64(), r.u64()), (FILE, len(big), 5), "FILE size offset")
        data, frames, ok = [], 0, True
        while True:
            tp, p = c.recv()
            if tp != DATA:
                break
            frames += 1
            ok = ok and 1 <= len(p) <= tfslib.FRAME_MAX
            data.append(p)
        t.ok(ok and frames == 4, "DATA frames of 1..1 MiB (%d)" % frames)
        t.eq((tp, parse_u64(p)), (END, len(big) - 5), "END n = size - offset")
        t.ok(b"".join(data) == big[5:], "GET of 3 MiB: the bytes")

        # PUT
        t.eq(c.put("new.bin", big), "OK", "PUT a new file")
        t.ok(open(os.path.join(R, "new.bin"), "rb").read() == big,
             "PUT stored the bytes")
        t.eq(c.put("new.bin", b"short"), "OK", "PUT replaces")
        t.eq(c.get("new.bin"), b"short", "the new version is served")
        t.eq(c.put("empty", b""), "OK", "PUT of an empty file")
        t.eq(c.stat("empty")["size"], 0, "empty file stored")
        t.eq(c.put("dir", b"x"), "NOT_A_FILE", "PUT onto a folder: "
             "NOT_A_FILE")
        t.eq(c.put("nodir/x", b"x"), "NOT_FOUND", "PUT in a missing "
             "folder: NOT_FOUND")
        t.eq(c.put("a.txt/x", b"x"), "NOT_A_DIR", "PUT through a file: "
             "NOT_A_DIR")
        t.eq(c.put("a.txt", b"x", flags=tfslib.NOCLOBBER), "EXISTS",
             "PUT NOCLOBBER onto a file: EXISTS")
        t.eq(c.put("nc.txt", b"x", flags=tfslib.NOCLOBBER), "OK",
             "PUT NOCLOBBER of a new name")
        t.eq(c.put("f.txt", b"x", flags=4), "UNSUPPORTED",
             "PUT with an unknown flag: UNSUPPORTED")
        t.eq(c.put("fifo", b"x"), "NOT_A_FILE", "PUT onto a fifo: "
             "NOT_A_FILE")

        # MKDIR
        t.eq(c.simple(MKDIR("m")), "OK", "MKDIR")
        t.ok(os.path.isdir(os.path.join(R, "m")), "MKDIR made the folder")
        t.eq(c.simple(MKDIR("m")), "EXISTS", "MKDIR of an existing folder: "
             "EXISTS")
        t.eq(c.simple(MKDIR("a.txt")), "EXISTS", "MKDIR of an existing "
             "file: EXISTS")
        t.eq(c.simple(MKDIR("x/y")), "NOT_FOUND", "MKDIR without a parent: "
             "NOT_FOUND")
        t.eq(c.simple(MKDIR("a.txt/y")), "NOT_A_DIR", "MKDIR under a file: "
             "NOT_A_DIR")
        t.eq(c.simple(MKDIR("m/n")), "OK", "MKDIR in a sub-folder")

        # RENAME
        t.eq(c.simple(RENAME("b.txt", "m/b2")), "OK", "RENAME")
        t.eq(c.get("m/b2"), b"bee\n", "RENAME moved the file")
        t.eq(c.simple(RENAME("m/b2", "a.txt")), "EXISTS", "RENAME onto a "
             "file: EXISTS")
        t.eq(c.simple(RENAME("m/b2", "m/b2")), "EXISTS", "RENAME onto "
             "itself: EXISTS")
        t.eq(c.simple(RENAME("m/b2", "dir")), "EXISTS", "RENAME onto a "
             "folder: EXISTS")
        t.eq(c.simple(RENAME("gone", "z")), "NOT_FOUND", "RENAME of "
             "nothing: NOT_FOUND")
        t.eq(c.simple(RENAME("m/b2", "no/z")), "NOT_FOUND", "RENAME into "
             "a missing folder: NOT_FOUND")
        t.eq(c.simple(RENAME("m", "m/n/inside")), "BAD_PATH",
             "RENAME of a folder inside itself: BAD_PATH")
        t.eq(c.simple(RENAME("m", "m2")), "OK", "RENAME of a folder")
        t.eq(c.get("m2/b2"), b"bee\n", "its content moved with it")
        t.eq(c.simple(RENAME("fifo", "fifo2")), "NOT_A_FILE", "RENAME of a "
             "fifo: NOT_A_FILE")

        # DELETE
        t.eq(c.simple(DELETE("m2")), "NOT_EMPTY", "DELETE of a full folder: "
             "NOT_EMPTY")
        t.eq(c.simple(DELETE("m2/b2")), "OK", "DELETE of a file")
        t.ok(not os.path.exists(os.path.join(R, "m2", "b2")), "the file is "
             "gone")
        t.eq(c.simple(DELETE("m2/b2")), "NOT_FOUND", "DELETE of nothing: "
             "NOT_FOUND")
        t.eq(c.simple(DELETE("m2/n")), "OK", "DELETE of an empty folder")
        tfslib.write_file(os.path.join(R, "m2", ".tfs-part-up"), b"partial")
        t.eq(c.list("m2"), [], "a folder holding only a partial lists empty")
        t.eq(c.simple(DELETE("m2")), "OK", "... and DELETE removes it")
        t.ok(not os.path.exists(os.path.join(R, "m2")), "folder gone")
        t.eq(c.simple(DELETE("fifo")), "NOT_A_FILE", "DELETE of a fifo: "
             "NOT_A_FILE")
        t.eq(c.simple(DELETE("")), "BAD_PATH", "DELETE of the root: BAD_PATH")

        # SUM
        c.req(SUM("big"))
        tp, p = c.recv()
        r = tfslib.Reader(p)
        algo, dig = r.str(), r.str()
        t.eq((tp, algo, dig), (tfslib.DIGEST, b"sha256",
             hashlib.sha256(big).digest()), "SUM: DIGEST sha256 of the file")
        t.eq(c.sum("empty"), hashlib.sha256(b"").digest(), "SUM of an empty "
             "file")
        t.eq(c.sum("dir"), "NOT_A_FILE", "SUM of a folder: NOT_A_FILE")
        t.eq(c.sum("nope"), "NOT_FOUND", "SUM of nothing: NOT_FOUND")

        # errors that keep the connection usable
        c.send(0x33, b"whatever")
        t.eq(c.expect_error(), "UNSUPPORTED", "unknown type: UNSUPPORTED")
        t.eq(c.stat("a.txt")["size"], 13, "connection usable after "
             "UNSUPPORTED")

        # QUIT
        c.req(QUIT())
        tp, p = c.recv()
        t.eq(tp, OK, "QUIT: OK")
        t.ok(c.closed(), "QUIT: then the server closes")

    with tfslib.Conn(srv.port) as c:
        c.send(tfslib.DATA, b"x")
        t.eq(c.expect_error(), "PROTOCOL", "DATA outside an upload: PROTOCOL")
        t.ok(c.closed(), "PROTOCOL closes the connection")


def busy(srv):
    with tfslib.Conn(srv.port) as a, tfslib.Conn(srv.port) as b:
        a.req(PUT("busy.bin", 10))
        tp, p = a.recv()
        t.eq(tp, READY, "first PUT: READY")
        t.eq(b.put("busy.bin", b"0123456789"), "BUSY",
             "second PUT of the same path: BUSY")
        t.eq(b.put("other.bin", b"0123456789"), "OK",
             "a PUT of another path goes on meanwhile")
        a.send(DATA, b"0123456789")
        a.send(END, u64(10))
        t.eq(a.recv()[0], OK, "first PUT completes")
        t.eq(b.put("busy.bin", b"abcdefghij"), "OK",
             "once done, the path takes a PUT again")


def denied_readonly():
    with server(args=["--read-only", "--max-file-size", "10"]) as srv:
        tfslib.write_file(os.path.join(srv.root, "f"), b"data")
        with tfslib.Conn(srv.port) as c:
            t.eq(c.get("f"), b"data", "read-only: GET works")
            t.eq(c.put("g", b"x"), "DENIED", "read-only: PUT DENIED")
            t.eq(c.put("g", b"x" * 100), "DENIED",
                 "read-only is checked before the size limit")
            t.eq(c.put("a//b", b"x"), "BAD_PATH",
                 "the path rules before read-only")
            t.eq(c.put("g", b"x", flags=0x80), "UNSUPPORTED",
                 "unknown flags before read-only")
            t.eq(c.simple(DELETE("f")), "DENIED", "read-only: DELETE DENIED")
            t.eq(c.simple(RENAME("f", "g")), "DENIED",
                 "read-only: RENAME DENIED")
            t.eq(c.simple(MKDIR("d")), "DENIED", "read-only: MKDIR DENIED")
            t.eq(c.simple(DELETE("missing")), "DENIED",
                 "read-only before the file system")
            t.ok(os.path.exists(os.path.join(srv.root, "f")),
                 "nothing changed")


def denied_perm():
    """EACCES reaches the client as DENIED (server dropped to nobody)."""
    if os.geteuid() != 0:
        t.skip("permission denied: DENIED", "needs root for -u nobody")
        return
    try:
        import pwd
        pwd.getpwnam("nobody")
    except KeyError:
        t.skip("permission denied: DENIED", "no user nobody")
        return
    tmp, root = tfslib.temp_dir("tfs-test-", "root")
    os.chmod(tmp, 0o755)
    os.chmod(root, 0o777)
    tfslib.write_file(os.path.join(root, "secret"), b"s")
    os.chmod(os.path.join(root, "secret"), 0o600)
    os.mkdir(os.path.join(root, "locked"))
    os.chmod(os.path.join(root, "locked"), 0o500)
    try:
        with server(args=["-u", "nobody"], root=root) as srv:
            with tfslib.Conn(srv.port) as c:
                t.eq(c.get("secret"), "DENIED", "unreadable file: DENIED")
                t.eq(c.put("locked/x", b"x"), "DENIED",
                     "PUT into an unwritable folder: DENIED")
                t.eq(c.put("ok", b"x"), "OK", "the rest works as nobody")
    finally:
        subprocess.run(["rm", "-rf", tmp])


def too_large():
    with server(args=["--max-file-size", "1000"]) as srv:
        with tfslib.Conn(srv.port) as c:
            t.eq(c.put("f", b"x" * 1000), "OK", "PUT at the size limit: OK")
            c.req(PUT("g", 1001))
            tp, p = c.recv()
            t.eq((tp, parse_error(p)[0] if tp == ERROR else None),
                 (ERROR, "TOO_LARGE"), "PUT over the limit: TOO_LARGE "
                 "before any data")
            t.eq(c.stat("f")["size"], 1000, "connection usable after "
                 "TOO_LARGE")
            t.eq(c.put("bad//", b"x" * 2000), "BAD_PATH",
                 "the path rules before the size limit")
            t.eq(c.put("g", b"x" * 2000, flags=8), "UNSUPPORTED",
                 "unknown flags before the size limit")


def no_space():
    """A tiny tmpfs as the root: ENOSPC answers NO_SPACE, old file kept."""
    tmp, root = tfslib.temp_dir("tfs-test-", "root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
                        root], capture_output=True)
    if r.returncode != 0:
        t.skip("disk full: NO_SPACE", "cannot mount a tmpfs")
        os.rmdir(root)
        os.rmdir(tmp)
        return
    try:
        with server(root=root) as srv:
            with tfslib.Conn(srv.port) as c:
                t.eq(c.put("f", b"old" * 1000), "OK", "PUT on a small disk")
                t.eq(c.put("f", os.urandom(3 * 1024 * 1024)), "NO_SPACE",
                     "PUT bigger than the disk: NO_SPACE")
                t.eq(c.get("f"), b"old" * 1000, "the old version is intact")
                left = [n for n in os.listdir(root) if n.startswith(".tfs-")
                        and n != ".tfs-sweep"]
                t.eq(left, [], "the partial was removed "
                     "(its space given back)")
                t.eq(c.put("g", b"fits"), "OK", "connection usable, space "
                     "back")
    finally:
        subprocess.run(["umount", "-l", root])
        subprocess.run(["rm", "-rf", tmp])


def io_error():
    """
    A file cut short while it is being sent: the server sees it before
    the next frame and sends ERROR IO in place of the rest.
    """
    with server() as srv:
        path = os.path.join(srv.root, "shrinks")
        size = 64 * tfslib.FRAME_MAX
        tfslib.sparse_file(path, size)
        c = tfslib.Conn(srv.port)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        c.req(GET("shrinks"))
        time.sleep(0.5 * tfslib.SLOW)   # the server blocks, a few MiB in
        os.truncate(path, 32 * tfslib.FRAME_MAX)
        got, last = 0, None
        while True:
            tp, p = c.recv()
            if tp == DATA:
                got += len(p)
                continue
            last = (tp, p)
            if tp != FILE:
                break
        t.eq((last[0], parse_error(last[1])[0] if last[0] == ERROR
              else None), (ERROR, "IO"), "file shrank mid-GET: ERROR IO")
        t.eq(got, 32 * tfslib.FRAME_MAX, "in place of the frames not sent")
        t.eq(c.stat("shrinks")["size"], 32 * tfslib.FRAME_MAX,
             "the connection stays usable after IO")
        c.close()


def timeouts():
    with server(args=["--idle-timeout", "1",
                             "--stall-timeout", "1"]) as srv:
        with tfslib.Conn(srv.port) as c:
            t0 = time.monotonic()
            c.sock.settimeout(10 * tfslib.SLOW)
            t.eq(c.expect_error(), "TIMEOUT", "idle connection: TIMEOUT")
            dt = time.monotonic() - t0
            t.ok(0.8 < dt < 5 * tfslib.SLOW, "after the idle timeout "
                 "(%.1f s)" % dt)
            t.ok(c.closed(), "then closed")


def shutting_down():
    with server(args=["-w", "2"]) as srv:
        c = tfslib.Conn(srv.port)
        t.eq(c.stat("")["kind"], "d", "connected")
        for pid in srv.workers():
            os.kill(pid, signal.SIGHUP)
        c.sock.settimeout(10 * tfslib.SLOW)
        t.eq(c.expect_error(), "SHUTTING_DOWN", "idle connection of a worker "
             "told to stop: SHUTTING_DOWN")
        t.ok(c.closed(), "then closed")
        c.close()


with server() as srv:
    for name, fn in (("basics", basics), ("busy", busy)):
        t.run(name, fn, srv)
for name, fn in (("read-only", denied_readonly), ("permissions", denied_perm),
                 ("size limit", too_large), ("no space", no_space),
                 ("io", io_error), ("timeouts", timeouts),
                 ("shutting down", shutting_down)):
    t.run(name, fn)
tfslib.check_logs(t)
sys.exit(t.done())
